import { describe, expect, it } from "vitest";
import { errorFromBody, isLatchkeyError, LatchkeyError, networkError } from "../src/errors";

const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name] ?? null,
});

describe("errors", () => {
  it("reads code, field, retryAfter and the status from the contract's shape", () => {
    const error = errorFromBody(
      {
        errors: [
          { message: "too weak", extensions: { code: "PASSWORD_TOO_WEAK", field: "password" } },
          { message: "second", extensions: { code: "VALIDATION_FAILED" } },
        ],
      },
      422,
      headers({ "x-request-id": "req_1" }),
    );
    expect(error).toBeInstanceOf(LatchkeyError);
    expect(error?.code).toBe("PASSWORD_TOO_WEAK");
    expect(error?.field).toBe("password");
    expect(error?.status).toBe(422);
    expect(error?.requestId).toBe("req_1");
    expect(error?.errors).toHaveLength(2);
    expect(error?.message).toBe("too weak");
  });

  it("takes retryAfter from the body, else from the Retry-After header", () => {
    const inBody = errorFromBody(
      { errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED", retryAfter: 7 } }] },
      429,
      headers({ "retry-after": "9" }),
    );
    expect(inBody?.retryAfter).toBe(7);
    const inHeader = errorFromBody(
      { errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED" } }] },
      429,
      headers({ "retry-after": "9" }),
    );
    expect(inHeader?.retryAfter).toBe(9);
  });

  it("finds no error in data, garbage or an empty list", () => {
    expect(errorFromBody({ data: { a: 1 } }, 200)).toBeUndefined();
    expect(errorFromBody(null, 500)).toBeUndefined();
    expect(errorFromBody({ errors: [] }, 500)).toBeUndefined();
    expect(errorFromBody("text", 500)).toBeUndefined();
  });

  it("calls an error without a code INTERNAL", () => {
    expect(errorFromBody({ errors: [{ message: "?" }] }, 500)?.code).toBe("INTERNAL");
  });

  it("says what a network failure was and that it is retried", () => {
    const error = networkError("http://x/graphql", new TypeError("Failed to fetch"));
    expect(error.isNetworkError).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain("could not be reached at http://x/graphql: Failed to fetch");
    expect(isLatchkeyError(error)).toBe(true);
    expect(isLatchkeyError(new Error("x"))).toBe(false);
  });
});
