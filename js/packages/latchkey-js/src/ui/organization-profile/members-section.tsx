/** @jsxImportSource preact */
// The organization's members with their roles: admins change a role or remove a member.
import { useEffect, useRef, useState } from "preact/hooks";
import { useUniqueId } from "../unique-id";
import type {
  OrganizationMembershipResource,
  OrganizationResource,
  RoleData,
} from "../../resources/organization";
import { useUi } from "../context";
import { Avatar, Button, ErrorBanner } from "../primitives";
import { organizationInitial } from "../organization-switcher/model";
import { memberName } from "./data";
import { useOrganizationAction } from "./org-action";
import { roleName } from "./permissions";
import { RoleSelect } from "./select-field";

/** A date as people read it ("Dec 7, 2026"). */
export const shortDate = (date: Date): string =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(date);

/** The members table; `onChanged` after a change (the data is read again). */
export function MembersSection(props: {
  organization: OrganizationResource;
  members: OrganizationMembershipResource[];
  totalMembers: number;
  roles: RoleData[];
  canManage: boolean;
  onChanged: () => Promise<void>;
}) {
  const { t, latchkey, snapshot } = useUi();
  const titleId = useUniqueId();
  const action = useOrganizationAction([]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const section = useRef<HTMLElement>(null);
  const previous = useRef<string | null>(null);
  // The buttons swap places when asking to confirm, and back: the focus follows them.
  useEffect(() => {
    const row = confirming ?? previous.current;
    previous.current = confirming;
    if (row === null) return;
    const cell = section.current?.querySelector(`tr[data-user-id="${row}"] td:last-child`);
    cell?.querySelector<HTMLElement>(confirming ? ".lk-button-danger" : "button")?.focus();
  }, [confirming]);
  const me = snapshot.user?.id;
  const options = props.roles.map((r) => ({ value: r.key, label: roleName(r.key, props.roles) }));

  // The select stays enabled while a change runs (disabling it would drop the keyboard's
  // focus): changes made meanwhile wait their turn, so the last one chosen is the one kept.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const changeRole = (member: OrganizationMembershipResource, role: string) => {
    queue.current = queue.current.then(() =>
      action.run(async () => {
        await props.organization.updateMember({ userId: member.userId, role });
        // One's own role is in the token's `o` claim: take a new token at once.
        if (member.userId === me) await latchkey.setActive({ organization: props.organization.id });
        await props.onChanged();
      }),
    );
  };
  const remove = (member: OrganizationMembershipResource) =>
    void action.run(async () => {
      await props.organization.removeMember(member.userId);
      setConfirming(null);
      await props.onChanged();
      // Its row (and the focused button) is gone: the focus stays in the section.
      heading.current?.focus();
    });

  return (
    <section
      class="lk-org-section"
      part="organizationProfileMembers"
      aria-labelledby={titleId}
      ref={section}
    >
      <h2 class="lk-org-section-title" id={titleId} ref={heading} tabIndex={-1}>
        {t("organizationProfile.membersTitle")} ({props.totalMembers})
      </h2>
      {!props.canManage && <p class="lk-org-note">{t("organizationProfile.membersReadOnly")}</p>}
      <ErrorBanner error={action.formError} />
      <div class="lk-org-scroll">
        <table class="lk-org-table" part="organizationMembersTable">
          <thead>
            <tr>
              <th scope="col">{t("organizationProfile.memberColumn")}</th>
              <th scope="col">{t("organizationProfile.roleColumn")}</th>
              <th scope="col">{t("organizationProfile.joinedColumn")}</th>
              {props.canManage && (
                <th scope="col">
                  <span class="lk-visually-hidden">{t("organizationProfile.actionsColumn")}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {props.members.map((member) => {
              const name = memberName(member);
              const identifier = member.publicUserData?.identifier;
              const self = member.userId === me;
              return (
                <tr key={member.id} part="organizationMember" data-user-id={member.userId}>
                  <td>
                    <span class="lk-org-who">
                      <Avatar name={organizationInitial(name)} size="small" />
                      <span>
                        <span class="lk-org-name">
                          {name}{" "}
                          {self && <span class="lk-org-sub">{t("organizationProfile.you")}</span>}
                        </span>
                        {identifier && identifier !== name && (
                          <span class="lk-org-sub">{identifier}</span>
                        )}
                      </span>
                    </span>
                  </td>
                  <td>
                    {props.canManage ? (
                      <RoleSelect
                        label={t("organizationProfile.roleOf", { name })}
                        name="role"
                        value={member.role}
                        options={options}
                        compact
                        onValue={(role) => changeRole(member, role)}
                      />
                    ) : (
                      roleName(member.role, props.roles)
                    )}
                  </td>
                  <td>{shortDate(member.createdAt)}</td>
                  {props.canManage && (
                    <td>
                      {self ? null : confirming === member.userId ? (
                        <span class="lk-org-confirm">
                          <Button
                            variant="danger"
                            busy={action.busy}
                            aria-label={t("organizationProfile.confirmRemove", {
                              name,
                              organization: props.organization.name,
                            })}
                            onClick={() => remove(member)}
                          >
                            {t("organizationProfile.removeMember")}
                          </Button>
                          <Button variant="secondary" onClick={() => setConfirming(null)}>
                            {t("common.cancel")}
                          </Button>
                        </span>
                      ) : (
                        <Button
                          variant="secondary"
                          aria-label={t("organizationProfile.removeMemberLabel", { name })}
                          onClick={() => setConfirming(member.userId)}
                        >
                          {t("organizationProfile.removeMember")}
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
