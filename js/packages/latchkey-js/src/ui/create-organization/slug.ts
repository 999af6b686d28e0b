// Organization slugs as the server makes and checks them (domain/src/model/organization.rs).

/** The longest slug the server accepts. */
export const MAX_SLUG_LENGTH = 64;

/**
 * The slug the server would derive from `name`: ASCII letters and digits lowercased, every run
 * of anything else one hyphen, no hyphen at either end, at most 64 characters.
 */
export function slugFromName(name: string): string {
  let slug = "";
  for (const c of name) {
    if (/^[A-Za-z0-9]$/.test(c)) slug += c.toLowerCase();
    else if (slug !== "" && !slug.endsWith("-")) slug += "-";
  }
  return slug.replace(/-+$/, "").slice(0, MAX_SLUG_LENGTH).replace(/-+$/, "");
}

/** Whether the server accepts `slug`: groups of `a-z0-9` joined by single hyphens, 1–64 long. */
export function isValidSlug(slug: string): boolean {
  return slug.length <= MAX_SLUG_LENGTH && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug);
}

/**
 * The slug field's state: it follows the name until the person edits it, and follows again
 * once they empty it.
 */
export interface SlugState {
  name: string;
  slug: string;
  /** Whether the person typed the slug themselves. */
  edited: boolean;
}

/** The state after the name changed: the slug follows unless it was edited. */
export function withName(state: SlugState, name: string): SlugState {
  return { name, edited: state.edited, slug: state.edited ? state.slug : slugFromName(name) };
}

/** The state after the slug was typed: an emptied slug follows the name again. */
export function withSlug(state: SlugState, slug: string): SlugState {
  if (slug === "") return { name: state.name, edited: false, slug: slugFromName(state.name) };
  return { name: state.name, edited: true, slug };
}
