import type { ComponentContext, Path } from '../format/component-context.js';
import type { OffsetIncrementDefinition } from '../format/manifest-types.generated.js';
import type { Template } from '../expressions/template.js';
import type { Paginator, PageWalk } from './paginator.js';
import { PagingRules } from './paginator-stop-rule.js';
import { injectOption } from './request-option.js';

/**
 * Offset paging (`start`/`count`). The offset advances by the records each page held (before record_filter). Stops on the declared
 * stop_condition, else when the offset reaches the declared total, else on a page shorter than page_size.
 */
export class OffsetPaginator implements Paginator {
  readonly maxPages?: number;
  private readonly rules: PagingRules;
  private readonly total?: Template;

  constructor(private readonly definition: OffsetIncrementDefinition, path: Path, context: ComponentContext) {
    this.rules = new PagingRules(definition, path, context);
    this.total = context.optionalTemplate(definition.total, [...path, 'total']);
    this.maxPages = definition.max_pages;
  }

  start(): PageWalk {
    let offset = 0;
    const pageAt = (value: number) => ({
      options: this.rules.withPageSize(injectOption({}, this.definition.page_token_option, value)),
      token: value,
    });
    return {
      first: () => (this.rules.injectOnFirstRequest ? pageAt(0) : { options: {}, token: undefined }),
      next: async (response, recordCount, context) => {
        offset += recordCount;
        const pageContext = this.rules.pageContext(response, recordCount, { ...context, next_page_token: offset });
        const declared = await this.rules.declaredStop(pageContext);
        if (declared !== undefined) return declared ? null : pageAt(offset);
        if (this.total) {
          const total = Number(await this.total.evaluate(pageContext));
          if (Number.isFinite(total)) return offset >= total || recordCount === 0 ? null : pageAt(offset);
        }
        return (await this.rules.shouldStop(pageContext, recordCount)) ? null : pageAt(offset);
      },
    };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    OffsetIncrement: OffsetPaginator;
  }
}
