import { buildSchema, getIntrospectionQuery, graphqlSync } from "graphql";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { introspectionQuery, TYPE_DEPTH } from "../src/introspection";

const schema = buildSchema(
  readFileSync(new URL("../../../schema.graphql", import.meta.url), "utf8"),
);

describe("GraphiQL's introspection query", () => {
  it("reads the whole schema as the standard one does", () => {
    const shallow = graphqlSync({ schema, source: introspectionQuery() });
    const standard = graphqlSync({
      schema,
      source: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    });
    expect(shallow.errors).toBeUndefined();
    expect(shallow.data).toEqual(standard.data);
  });

  it("nests types no deeper than the server allows", () => {
    expect(TYPE_DEPTH).toBeLessThanOrEqual(6);
    expect(introspectionQuery().match(/ofType/g)).toHaveLength(TYPE_DEPTH);
  });
});
