import { describe, expect, it } from "vitest";
import { parseHeaders, socketParams, typedHeaders } from "../src/fetcher";

describe("GraphiQL's fetcher", () => {
  it("does not send the placeholder", () => {
    expect(
      typedHeaders({ headers: { Authorization: "Bearer sk_\u2026", "X-Other": "1" } }),
    ).toEqual({
      "X-Other": "1",
    });
    expect(typedHeaders({ headers: { Authorization: "Bearer sk_test_abc" } })).toEqual({
      Authorization: "Bearer sk_test_abc",
    });
    expect(typedHeaders(undefined)).toEqual({});
  });

  it("names the typed headers as the server reads them in connection_init", () => {
    expect(
      socketParams({
        Authorization: "Bearer sk_test_abc",
        "Latchkey-Publishable-Key": "pk_test_x",
        "latchkey-client": "tok",
      }),
    ).toEqual({ authorization: "Bearer sk_test_abc", publishableKey: "pk_test_x", client: "tok" });
  });
});

describe("the header editor's text", () => {
  it("is read as a JSON object, anything else as no headers", () => {
    expect(parseHeaders('{"Authorization": "Bearer sk_test_a"}')).toEqual({
      Authorization: "Bearer sk_test_a",
    });
    for (const text of ["", "{", "[1]", "null", '"x"']) expect(parseHeaders(text)).toEqual({});
  });
});
