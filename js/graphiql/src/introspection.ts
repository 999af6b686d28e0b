import { getIntrospectionQuery } from "graphql";

/** How many type wrappers (`[…]`, `!`) the introspection reads: `[[String!]!]!` needs 5. */
export const TYPE_DEPTH = 6;

function typeRef(depth: number): string {
  return depth === 0 ? "kind name" : `kind name ofType { ${typeRef(depth - 1)} }`;
}

/**
 * GraphiQL's introspection query with `TypeRef` nested `TYPE_DEPTH` wrappers deep instead of
 * graphql-js's nine: the server refuses operations nested deeper than 12 levels, introspection
 * included, and nine wrappers under `__schema { types { fields { args { type` are 15.
 */
export function introspectionQuery(): string {
  const standard = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });
  const start = standard.indexOf("fragment TypeRef on __Type");
  if (start < 0) return standard;
  return `${standard.slice(0, start)}fragment TypeRef on __Type {\n  ${typeRef(TYPE_DEPTH)}\n}\n`;
}
