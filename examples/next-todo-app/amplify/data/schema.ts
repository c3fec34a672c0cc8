import { type ClientSchema, a } from '@aws-amplify/data-schema';

// The data model on its own, so that the frontend's type check (next build) reads it without loading the
// backend definition: `a` and `ClientSchema` are what @aws-amplify/backend re-exports.
export const schema = a.schema({
  Todo: a
    .model({
      content: a.string(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
});

export type Schema = ClientSchema<typeof schema>;
