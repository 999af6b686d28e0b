import type { Page } from "@latchkey/js";
import { useCallback, useEffect, useRef, useState } from "react";

/** Clerk's paginated list shape, as `useOrganization({memberships})` answers it. */
export interface PaginatedResources<T> {
  /** The current page's items; with `infinite`, every page fetched so far. */
  data: T[];
  /** How many items there are in all. */
  count: number;
  /** The first fetch is running. */
  isLoading: boolean;
  /** Any fetch is running. */
  isFetching: boolean;
  isError: boolean;
  error: unknown;
  /** The current page, from 1. */
  page: number;
  pageCount: number;
  fetchPage: (page: number) => void;
  fetchNext: () => void;
  fetchPrevious: () => void;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Fetches the current page (with `infinite`, the first) again. */
  revalidate: () => void;
}

/** Options of a paginated list. */
export interface PaginationParams {
  pageSize?: number;
  initialPage?: number;
  /** Keep the pages fetched so far, one after another (for "load more"). */
  infinite?: boolean;
}

interface Loaded<T> {
  pages: Map<number, T[]>;
  count: number;
}

/** The items shown for `page`: that page, or with `infinite` every page up to it, in order. */
export function visibleItems<T>(pages: Map<number, T[]>, page: number, infinite: boolean): T[] {
  if (!infinite) return pages.get(page) ?? [];
  const items: T[] = [];
  for (let p = 1; p <= page; p++) items.push(...(pages.get(p) ?? []));
  return items;
}

/** How many pages `count` items fill. */
export function pageCountOf(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/**
 * A paginated list over `fetchPage(page, pageSize)`; `key` changes (another organization) start
 * it over, and `enabled: false` fetches nothing.
 */
export function usePaginated<T>(
  fetcher: ((page: number, pageSize: number) => Promise<Page<T>>) | undefined,
  key: string | undefined,
  params: PaginationParams,
): PaginatedResources<T> {
  const pageSize = params.pageSize ?? 10;
  const infinite = params.infinite ?? false;
  const [page, setPage] = useState(params.initialPage ?? 1);
  const [loaded, setLoaded] = useState<Loaded<T>>({ pages: new Map(), count: 0 });
  const [fetching, setFetching] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  useEffect(() => {
    setLoaded({ pages: new Map(), count: 0 });
    setPage(params.initialPage ?? 1);
  }, [key, pageSize, params.initialPage]);

  useEffect(() => {
    const fetch = fetcherRef.current;
    if (!fetch || key === undefined) return;
    let current = true;
    setFetching(true);
    fetch(page, pageSize)
      .then((result) => {
        if (!current) return;
        setError(undefined);
        setLoaded((before) => {
          const pages = new Map(before.pages);
          pages.set(page, result.data);
          return { pages, count: result.totalCount };
        });
      })
      .catch((failure: unknown) => current && setError(failure))
      .finally(() => current && setFetching(false));
    return () => {
      current = false;
    };
  }, [key, page, pageSize, generation]);

  const pageCount = pageCountOf(loaded.count, pageSize);
  const fetchPage = useCallback((next: number) => setPage(Math.max(1, next)), []);
  const revalidate = useCallback(() => {
    if (infinite) setPage(1);
    setGeneration((g) => g + 1);
  }, [infinite]);
  return {
    data: visibleItems(loaded.pages, page, infinite),
    count: loaded.count,
    isLoading: fetching && loaded.pages.size === 0,
    isFetching: fetching,
    isError: error !== undefined,
    error,
    page,
    pageCount,
    fetchPage,
    fetchNext: () => setPage((p) => Math.min(p + 1, pageCount)),
    fetchPrevious: () => setPage((p) => Math.max(1, p - 1)),
    hasNextPage: page < pageCount,
    hasPreviousPage: page > 1,
    revalidate,
  };
}
