// Reads the members, invitations and roles of the organization the profile shows, again on
// demand (after each change), whenever the organization changes, and when the page is back in
// view (others change it too).
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { OrganizationResource } from "../../resources/organization";
import type { FormError } from "../errors";
import type { Translate } from "../localization/translate";
import { loadProfileData, type ProfileData } from "./data";
import { organizationError } from "./org-action";

/** The profile's data: `undefined` while the first read runs. */
export interface ProfileDataState {
  data: ProfileData | undefined;
  error: FormError | undefined;
  reload: () => Promise<void>;
}

/** The data of `organization` (`null`: none is active); `enabled` false reads nothing. */
export function useProfileData(
  organization: OrganizationResource | null | undefined,
  enabled: boolean,
  t: Translate,
): ProfileDataState {
  const [data, setData] = useState<ProfileData | undefined>(undefined);
  const [error, setError] = useState<FormError | undefined>(undefined);
  const id = organization?.id;
  // The organization shown now: a read of another one that ends later is thrown away.
  const current = useRef(id);
  current.current = id;
  const reload = useCallback(async () => {
    if (!organization || !enabled) return;
    try {
      const next = await loadProfileData(organization);
      if (current.current !== organization.id) return;
      setData(next);
      setError(undefined);
    } catch (failure) {
      if (current.current !== organization.id) return;
      setError(organizationError(failure, t));
    }
  }, [id, enabled]);
  useEffect(() => {
    setData(undefined);
    void reload();
    // Others change the organization too: read it again when the person comes back to the page.
    const again = () => {
      if (document.visibilityState === "visible") void reload();
    };
    window.addEventListener("focus", again);
    document.addEventListener("visibilitychange", again);
    return () => {
      window.removeEventListener("focus", again);
      document.removeEventListener("visibilitychange", again);
    };
  }, [id, enabled]);
  return { data, error, reload };
}
