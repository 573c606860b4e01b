import type { ComponentRegistry } from './compile-context.js';
import { BearerAuthenticator } from '../http/bearer-authenticator.js';
import { ErrorHandler } from '../http/error-handler.js';
import { HttpRequester } from '../http/http-requester.js';
import { NoAuth } from '../http/no-auth.js';
import { OAuthAuthenticator } from '../http/oauth-authenticator.js';
import { SelectiveAuthenticator } from '../http/selective-authenticator.js';
import { CursorPaginator } from '../streams/cursor-paginator.js';
import { DatetimeCursor } from '../streams/datetime-cursor.js';
import { DeclarativeStream } from '../streams/declarative-stream.js';
import { ListPartitionRouter } from '../streams/list-partition-router.js';
import { OffsetPaginator } from '../streams/offset-paginator.js';
import { PageNumberPaginator } from '../streams/page-number-paginator.js';
import { RecordSelector } from '../streams/record-selector.js';
import { SimpleRetriever } from '../streams/simple-retriever.js';
import { SubstreamPartitionRouter } from '../streams/substream-partition-router.js';
import { AddFields, RemoveFields } from '../streams/transformations.js';

/** Every `type:` a manifest may use, and the component it becomes. The manifest schema lists the same names. */
export const componentRegistry: ComponentRegistry = {
  DeclarativeStream: (d, p, c) => new DeclarativeStream(d, p, c),
  SimpleRetriever: (d, p, c) => new SimpleRetriever(d, p, c),
  HttpRequester: (d, p, c) => new HttpRequester(d, p, c),
  NoAuth: () => new NoAuth(),
  BearerAuthenticator: (d, p, c) => new BearerAuthenticator(d, p, c),
  OAuthAuthenticator: (d, p, c) => new OAuthAuthenticator(d, p, c),
  SelectiveAuthenticator: (d, p, c) => new SelectiveAuthenticator(d, p, c),
  ErrorHandler: (d, p, c) => new ErrorHandler(d, p, c),
  RecordSelector: (d, p, c) => new RecordSelector(d, p, c),
  OffsetIncrement: (d, p, c) => new OffsetPaginator(d, p, c),
  PageIncrement: (d, p, c) => new PageNumberPaginator(d, p, c),
  CursorPagination: (d, p, c) => new CursorPaginator(d, p, c),
  ListPartitionRouter: (d, p, c) => new ListPartitionRouter(d, p, c),
  SubstreamPartitionRouter: (d, p, c) => new SubstreamPartitionRouter(d, p, c),
  DatetimeBasedCursor: (d, p, c) => new DatetimeCursor(d, p, c),
  AddFields: (d, p, c) => new AddFields(d, p, c),
  RemoveFields: (d) => new RemoveFields(d),
};
