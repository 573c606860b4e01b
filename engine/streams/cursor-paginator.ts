import type { ComponentContext, Path } from '../format/component-context.js';
import type { CursorPaginationDefinition } from '../format/manifest-types.generated.js';
import type { Template } from '../expressions/template.js';
import type { RequestOptions } from '../http/http-requester.js';
import type { NextPage, Paginator, PageWalk } from './paginator.js';
import { PagingRules } from './paginator-stop-rule.js';
import { injectOption } from './request-option.js';

/** Token or next-link paging: the token comes from the response; an empty token or the stop condition ends it. */
export class CursorPaginator implements Paginator {
  readonly maxPages?: number;
  private readonly rules: PagingRules;
  private readonly cursorValue: Template;

  constructor(private readonly definition: CursorPaginationDefinition, path: Path, context: ComponentContext) {
    this.rules = new PagingRules(definition, path, context);
    this.cursorValue = context.template(definition.cursor_value, [...path, 'cursor_value']);
    this.maxPages = definition.max_pages;
  }

  start(): PageWalk {
    return {
      first: () => ({ options: this.rules.injectOnFirstRequest ? this.rules.withPageSize({}) : {}, token: undefined }),
      next: async (response, recordCount, context) => {
        const pageContext = this.rules.pageContext(response, recordCount, context);
        if (await this.rules.declaredStop(pageContext)) return null;
        const token = await this.cursorValue.evaluate(pageContext);
        if (token === undefined || token === null || token === '') return null;
        return this.pageFor(token);
      },
    };
  }

  private pageFor(token: unknown): NextPage {
    const option = this.definition.page_token_option;
    const options: RequestOptions =
      option.inject_into === 'url' ? { url: String(token) } : this.rules.withPageSize(injectOption({}, option, token));
    return { options, token };
  }
}

declare module '../format/component-context.js' {
  interface Components {
    CursorPagination: CursorPaginator;
  }
}
