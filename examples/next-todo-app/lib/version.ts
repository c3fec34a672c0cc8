// Shown on the page so a deployment can be told apart from the one before it: bump it in a commit and the
// live site shows the new value once the pipeline has built it.
export const version = 'v1';
