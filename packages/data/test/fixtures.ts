/** A richer schema, in the SDL dialect `schema.transform().schema` emits. */
export const RICH_SDL = /* GraphQL */ `
type Post @model @auth(rules: [{allow: public, provider: apiKey}])
{
  title: String!
  body: String
  status: PostStatus
  rating: Int
  score: Float
  published: Boolean
  tags: [String]
  meta: AWSJSON
  publishedOn: AWSDate
  location: Location
  authorEmail: AWSEmail
  website: AWSURL
  views: Int @default(value: "0")
  category: String @index(name: "byCategory", sortKeyFields: ["rating"], queryField: "listPostByCategoryAndRating")
  comments: [Comment] @hasMany(references: ["postId"])
  feature: Feature @hasOne(references: ["postId"])
}

enum PostStatus {
  draft
  published
  archived
}

type Location
{
  lat: Float
  long: Float
  label: String
}

type Comment @model @auth(rules: [{allow: public, provider: apiKey}])
{
  content: String!
  postId: ID
  post: Post @belongsTo(references: ["postId"])
}

type Feature @model @auth(rules: [{allow: public, provider: apiKey}])
{
  headline: String
  postId: ID
  post: Post @belongsTo(references: ["postId"])
}

type Customer @model @auth(rules: [{allow: public, provider: apiKey}])
{
  customerId: ID! @primaryKey(sortKeyFields: ["region"])
  region: String!
  name: String
  tier: Int
}

type Event @model @auth(rules: [{allow: public, provider: apiKey}])
{
  venue: String! @primaryKey(sortKeyFields: ["day", "slot"])
  day: AWSDate!
  slot: Int!
  title: String @index(name: "byTitle", queryField: "eventsByTitle")
  kind: PostStatus @index(name: "byKindDaySlot", sortKeyFields: ["day", "slot"], queryField: "eventsByKind")
  startsAt: AWSDateTime
  ip: AWSIPAddress
  phone: AWSPhone
  at: AWSTime
  stamp: AWSTimestamp
}

type Notice @model @auth(rules: [{allow: public, provider: apiKey, operations: [read]}])
{
  text: String
}
`;

/** The introspection fragment the client's names come from (pluralName). */
export const RICH_INTROSPECTION = {
  version: 1,
  models: {
    Post: { name: 'Post', pluralName: 'Posts' },
    Comment: { name: 'Comment', pluralName: 'Comments' },
    Feature: { name: 'Feature', pluralName: 'Features' },
    Customer: { name: 'Customer', pluralName: 'Customers' },
    Event: { name: 'Event', pluralName: 'Events' },
    Notice: { name: 'Notice', pluralName: 'Notices' },
  },
  enums: {},
  nonModels: {},
};
