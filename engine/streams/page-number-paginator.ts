import type { ComponentContext, Path } from '../format/component-context.js';
import type { PageIncrementDefinition } from '../format/manifest-types.generated.js';
import type { Paginator, PageWalk } from './paginator.js';
import { PagingRules } from './paginator-stop-rule.js';
import { injectOption } from './request-option.js';

/** Page-number paging: page start_from_page, then the next, until a short page or the stop condition. */
export class PageNumberPaginator implements Paginator {
  readonly maxPages?: number;
  private readonly rules: PagingRules;

  constructor(private readonly definition: PageIncrementDefinition, path: Path, context: ComponentContext) {
    this.rules = new PagingRules(definition, path, context);
    this.maxPages = definition.max_pages;
  }

  start(): PageWalk {
    let page = this.definition.start_from_page;
    const pageAt = (value: number) => ({
      options: this.rules.withPageSize(injectOption({}, this.definition.page_token_option, value)),
      token: value,
    });
    return {
      first: () => (this.rules.injectOnFirstRequest ? pageAt(page) : { options: {}, token: undefined }),
      next: async (response, recordCount, context) => {
        page += 1;
        const pageContext = this.rules.pageContext(response, recordCount, { ...context, next_page_token: page });
        return (await this.rules.shouldStop(pageContext, recordCount)) ? null : pageAt(page);
      },
    };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    PageIncrement: PageNumberPaginator;
  }
}
