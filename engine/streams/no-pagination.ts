import type { Paginator, PageWalk } from './paginator.js';

/** One request per partition and slice: the first page is the only one. */
export class NoPagination implements Paginator {
  start(): PageWalk {
    return { first: () => ({ options: {}, token: undefined }), next: async () => null };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    NoPagination: NoPagination;
  }
}
