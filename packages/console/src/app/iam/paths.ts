/** The console's own URLs for the IAM section. */
const seg = encodeURIComponent;
export const iamPaths = {
  users: '/console/iam/users',
  user: (name: string) => `/console/iam/users/${seg(name)}`,
  roles: '/console/iam/roles',
  newRole: '/console/iam/roles/new',
  role: (name: string) => `/console/iam/roles/${seg(name)}`,
  policies: '/console/iam/policies',
  audit: '/console/iam/audit',
};
