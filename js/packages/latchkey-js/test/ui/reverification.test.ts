import { describe, expect, it } from "vitest";
import { LatchkeyError } from "../../src/errors";
import type { ReverificationStrategy, SessionReverification } from "../../src/index";
import {
  type Reverifiable,
  ReverificationCancelled,
  type ReverificationStep,
  Reverifier,
} from "../../src/ui/user-profile/reverification";

const required = () => new LatchkeyError("REVERIFICATION_REQUIRED", "verify again");

/** A user whose attempts pass with `secret` (or the code "123456"), TOTP users needing both factors. */
function fakeUser(options: { password: boolean; totp?: boolean }) {
  const calls: string[] = [];
  let first = false;
  let second = !options.totp;
  const answer = (): SessionReverification => ({
    sessionId: "sess_1",
    status: !first ? "NEEDS_FIRST_FACTOR" : !second ? "NEEDS_SECOND_FACTOR" : "COMPLETE",
    firstFactorVerifiedAt: "2026-01-01T00:00:00Z",
    secondFactorVerifiedAt: null,
    completeUntil: null,
    safeIdentifier: "j***@example.com",
  });
  const user: Reverifiable = {
    passwordEnabled: options.password,
    async prepareReverification({ strategy }) {
      calls.push(`prepare ${strategy}`);
      return answer();
    },
    async attemptReverification(params: {
      strategy: ReverificationStrategy;
      code?: string;
      password?: string;
    }) {
      calls.push(`attempt ${params.strategy} ${params.password ?? params.code}`);
      if (params.strategy === "PASSWORD") {
        if (params.password !== "secret") throw new LatchkeyError("INVALID_CREDENTIALS", "wrong");
        first = true;
      } else if (params.code !== "123456") {
        throw new LatchkeyError("CODE_INCORRECT", "wrong code");
      } else if (params.strategy === "EMAIL_CODE") first = true;
      else second = true;
      return answer();
    },
  };
  return { user, calls, verified: () => first && second };
}

/** An action that needs a recent reverification, counting its runs. */
function guardedAction(verified: () => boolean) {
  let runs = 0;
  return {
    runs: () => runs,
    action: async () => {
      runs += 1;
      if (!verified()) throw required();
      return "done";
    },
  };
}

describe("Reverifier", () => {
  it("runs an action that needs nothing once, asking nothing", async () => {
    const steps: ReverificationStep[] = [];
    const { user } = fakeUser({ password: true });
    const reverifier = new Reverifier(
      () => user,
      (s) => steps.push(s),
    );
    await expect(reverifier.guard(async () => 42)).resolves.toBe(42);
    expect(steps).toEqual([]);
  });

  it("passes other errors through at once", async () => {
    const { user } = fakeUser({ password: true });
    const reverifier = new Reverifier(
      () => user,
      () => undefined,
    );
    await expect(
      reverifier.guard(async () => {
        throw new LatchkeyError("VALIDATION_FAILED", "bad");
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(reverifier.step).toEqual({ kind: "idle" });
  });

  it("asks for the password, keeps asking after a wrong one, then runs the action again", async () => {
    const { user, calls, verified } = fakeUser({ password: true });
    const reverifier = new Reverifier(
      () => user,
      () => undefined,
    );
    const { action, runs } = guardedAction(verified);
    const result = reverifier.guard(action);
    await Promise.resolve();
    expect(reverifier.step).toEqual({ kind: "password" });
    await expect(reverifier.submit("nope")).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(reverifier.step).toEqual({ kind: "password" });
    await reverifier.submit("secret");
    await expect(result).resolves.toBe("done");
    expect(runs()).toBe(2);
    expect(reverifier.step).toEqual({ kind: "idle" });
    expect(calls).toEqual(["attempt PASSWORD nope", "attempt PASSWORD secret"]);
  });

  it("mails a code to a user without a password and takes it", async () => {
    const { user, calls, verified } = fakeUser({ password: false });
    const reverifier = new Reverifier(
      () => user,
      () => undefined,
    );
    const { action } = guardedAction(verified);
    const result = reverifier.guard(action);
    await new Promise((done) => setTimeout(done, 0));
    expect(reverifier.step).toEqual({ kind: "email-code", sentTo: "j***@example.com" });
    await reverifier.submit(" 123456 ");
    await expect(result).resolves.toBe("done");
    expect(calls).toEqual(["prepare EMAIL_CODE", "attempt EMAIL_CODE 123456"]);
  });

  it("asks a TOTP user for the second factor too, a backup code when they choose", async () => {
    const { user, calls, verified } = fakeUser({ password: true, totp: true });
    const reverifier = new Reverifier(
      () => user,
      () => undefined,
    );
    const { action } = guardedAction(verified);
    const result = reverifier.guard(action);
    await Promise.resolve();
    await reverifier.submit("secret");
    expect(reverifier.step).toEqual({ kind: "second-factor", strategy: "TOTP" });
    reverifier.toggleBackupCode();
    expect(reverifier.step).toEqual({ kind: "second-factor", strategy: "BACKUP_CODE" });
    await reverifier.submit("123456");
    await expect(result).resolves.toBe("done");
    expect(calls).toEqual(["attempt PASSWORD secret", "attempt BACKUP_CODE 123456"]);
  });

  it("rejects the waiting action with ReverificationCancelled when cancelled", async () => {
    const { user, verified } = fakeUser({ password: true });
    const steps: ReverificationStep[] = [];
    const reverifier = new Reverifier(
      () => user,
      (s) => steps.push(s),
    );
    const { action, runs } = guardedAction(verified);
    const result = reverifier.guard(action);
    await Promise.resolve();
    reverifier.cancel();
    await expect(result).rejects.toBeInstanceOf(ReverificationCancelled);
    expect(runs()).toBe(1);
    expect(steps).toEqual([{ kind: "password" }, { kind: "idle" }]);
    await expect(reverifier.submit("secret")).rejects.toMatchObject({ code: "SDK_STATE" });
  });

  it("reports the retried action's own failure to its caller", async () => {
    const { user } = fakeUser({ password: true });
    const reverifier = new Reverifier(
      () => user,
      () => undefined,
    );
    let runs = 0;
    const result = reverifier.guard(async () => {
      runs += 1;
      throw runs === 1 ? required() : new LatchkeyError("NOT_FOUND", "gone");
    });
    await Promise.resolve();
    await reverifier.submit("secret");
    await expect(result).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("shows a failed resend in the prompt and keeps the action waiting", async () => {
    const { user, verified } = fakeUser({ password: false });
    let sends = 0;
    const limited: Reverifiable = {
      ...user,
      passwordEnabled: false,
      prepareReverification: async (params) => {
        sends += 1;
        if (sends > 1) throw new LatchkeyError("RATE_LIMITED", "slow down", { retryAfter: 9 });
        return user.prepareReverification(params);
      },
    };
    const reverifier = new Reverifier(
      () => limited,
      () => undefined,
    );
    const result = reverifier.guard(guardedAction(verified).action);
    await new Promise((done) => setTimeout(done, 0));
    await expect(reverifier.sendCode()).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(reverifier.step.kind).toBe("email-code");
    await reverifier.submit("123456");
    await expect(result).resolves.toBe("done");
  });

  it("a second guarded action during the email code's step settles both, even when its code fails to send", async () => {
    const { user, verified } = fakeUser({ password: false });
    let sends = 0;
    const limited: Reverifiable = {
      ...user,
      passwordEnabled: false,
      prepareReverification: async (params) => {
        sends += 1;
        if (sends > 1) throw new LatchkeyError("RATE_LIMITED", "slow down", { retryAfter: 9 });
        return user.prepareReverification(params);
      },
    };
    const reverifier = new Reverifier(
      () => limited,
      () => undefined,
    );
    const first = reverifier.guard(guardedAction(verified).action);
    await new Promise((done) => setTimeout(done, 0));
    expect(reverifier.step.kind).toBe("email-code");
    const second = reverifier.guard(guardedAction(verified).action);
    await expect(first).rejects.toBeInstanceOf(ReverificationCancelled);
    await expect(second).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // Nothing is left waiting: the prompt closed, and a later answer runs no dropped action.
    expect(reverifier.step.kind).toBe("idle");
  });
});
