/** @jsxImportSource preact */
// Active devices: the user's sessions everywhere (browser, device, IP address, last activity),
// this device marked, the others signed out from here.
import { useCallback, useEffect, useState } from "preact/hooks";
import type { UserResource } from "../../resources/user";
import { useUi } from "../context";
import { Button, ErrorBanner, Spinner, SuccessBanner } from "../primitives";
import { useAction } from "../use-action";
import { Section, useNotice } from "./section";
import { relativeTime, type SessionRow, sessionRows } from "./sessions";
import { useReverification } from "./use-reverification";

/** The Active devices section. */
export function DevicesSection(props: { user: UserResource }) {
  const { t, snapshot } = useUi();
  const { user } = props;
  const currentId = snapshot.session?.id ?? null;
  const [rows, setRows] = useState<SessionRow[] | null>(null);
  const action = useAction([]);
  const { guard, prompt } = useReverification();
  const [notice, setNotice] = useNotice();
  const load = useCallback(
    () =>
      action.run(async () => {
        setRows(sessionRows(await user.getSessions(), currentId));
      }),
    [user.id, currentId],
  );
  // Read again when the user or this client's sessions change (a revocation seen live).
  const sessionsKey = snapshot.client?.sessions.map((s) => `${s.id}:${s.status}`).join(",");
  useEffect(() => void load(), [load, sessionsKey]);

  const revoke = (row: SessionRow) =>
    void action.run(async () => {
      setNotice(undefined);
      const done = await guard(() => user.revokeSession(row.id));
      if (!done) return;
      setNotice(t("userProfile.sessionRevoked"));
      setRows(sessionRows(await user.getSessions(), currentId));
    });

  const now = new Date();
  return (
    <Section title={t("userProfile.devicesTitle")} part="profileSectionDevices">
      {prompt}
      {notice && <SuccessBanner>{notice}</SuccessBanner>}
      <ErrorBanner error={action.formError} />
      {rows === null ? (
        action.busy && <Spinner />
      ) : (
        <ul class="lk-list" part="sessionList">
          {rows.map((row) => {
            const browser = row.browser ?? t("userProfile.unknownBrowser");
            const device = row.device ?? t("userProfile.unknownDevice");
            return (
              <li key={row.id} class="lk-item" part="sessionItem" data-session-id={row.id}>
                <div class="lk-item-main">
                  <span class="lk-item-title">
                    {browser} · {device}
                    {row.isMobile && (
                      <span class="lk-item-detail">({t("userProfile.mobile")})</span>
                    )}
                    {row.current && (
                      <span class="lk-badge lk-badge-primary" part="badge">
                        {t("userProfile.thisDevice")}
                      </span>
                    )}
                  </span>
                  <span class="lk-item-detail">
                    {row.ipAddress && `${t("userProfile.ipAddress", { ip: row.ipAddress })} · `}
                    {t("userProfile.lastActive", { when: relativeTime(row.lastActiveAt, now) })}
                  </span>
                </div>
                {!row.current && (
                  <div class="lk-item-actions">
                    <Button
                      variant="danger"
                      disabled={action.busy}
                      aria-label={t("userProfile.revokeSessionLabel", { browser, device })}
                      onClick={() => revoke(row)}
                    >
                      {t("userProfile.revokeSession")}
                    </Button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {rows !== null && rows.every((r) => r.current) && (
        <p class="lk-section-text">{t("userProfile.noOtherDevices")}</p>
      )}
    </Section>
  );
}
