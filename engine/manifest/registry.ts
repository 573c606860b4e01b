import type { ComponentContext, Components, ComponentType, DefinitionOf, Path } from '../format/component-context.js';
import { ApiKeyAuthenticator } from '../http/api-key-authenticator.js';
import { BasicHttpAuthenticator } from '../http/basic-http-authenticator.js';
import { BearerAuthenticator } from '../http/bearer-authenticator.js';
import { CompositeErrorHandler } from '../http/composite-error-handler.js';
import { ConstantBackoff } from '../http/constant-backoff.js';
import { CsvDecoder } from '../http/csv-decoder.js';
import { ErrorHandler } from '../http/error-handler.js';
import { ExponentialBackoff } from '../http/exponential-backoff.js';
import { GzipDecoder } from '../http/gzip-decoder.js';
import { HttpRequester } from '../http/http-requester.js';
import { HttpResponseFilter } from '../http/http-response-filter.js';
import { JsonDecoder } from '../http/json-decoder.js';
import { JsonlDecoder } from '../http/jsonl-decoder.js';
import { NoAuth } from '../http/no-auth.js';
import { OAuthAuthenticator } from '../http/oauth-authenticator.js';
import { SelectiveAuthenticator } from '../http/selective-authenticator.js';
import { WaitTimeFromHeader } from '../http/wait-time-from-header.js';
import { WaitUntilTimeFromHeader } from '../http/wait-until-time-from-header.js';
import { AddFields } from '../streams/add-fields.js';
import { CursorPaginator } from '../streams/cursor-paginator.js';
import { DatetimeCursor } from '../streams/datetime-cursor.js';
import { DeclarativeStream } from '../streams/declarative-stream.js';
import { FallbackPartitionRouter } from '../streams/fallback-partition-router.js';
import { IncrementingCountCursor } from '../streams/incrementing-count-cursor.js';
import { FlattenFields } from '../streams/flatten-fields.js';
import { KeysToSnakeCase } from '../streams/keys-to-snake-case.js';
import { ListPartitionRouter } from '../streams/list-partition-router.js';
import { NoPagination } from '../streams/no-pagination.js';
import { OffsetPaginator } from '../streams/offset-paginator.js';
import { PageNumberPaginator } from '../streams/page-number-paginator.js';
import { Lookup } from '../streams/lookup.js';
import { LookupFields } from '../streams/lookup-fields.js';
import { RecordExpander } from '../streams/record-expander.js';
import { RecordFilter } from '../streams/record-filter.js';
import { RecordSelector } from '../streams/record-selector.js';
import { RemoveFields } from '../streams/remove-fields.js';
import { SimpleRetriever } from '../streams/simple-retriever.js';
import { SubstreamPartitionRouter } from '../streams/substream-partition-router.js';
import { ParentStreamConfig } from '../streams/parent-stream-config.js';
import { CartesianProductStreamSlicer } from '../streams/cartesian-product-stream-slicer.js';
import { GroupingPartitionRouter } from '../streams/grouping-partition-router.js';
import { MissingRecordsFiller } from '../streams/missing-records-filler.js';

/** Turns one declaration into its component. */
export type ComponentFactory<K extends ComponentType> = (definition: DefinitionOf<K>, path: Path, context: ComponentContext) => Components[K];

/** A factory for each `type:` the manifest schema declares: a missing one, or one building the wrong component, does not compile. */
export type ComponentRegistry = { [K in ComponentType]: ComponentFactory<K> };

export const componentRegistry: ComponentRegistry = {
  Spec: (definition) => definition,
  CheckStream: (definition) => definition,
  DeclarativeStream: (definition, path, context) => new DeclarativeStream(definition, path, context),
  SimpleRetriever: (definition, path, context) => new SimpleRetriever(definition, path, context),
  HttpRequester: (definition, path, context) => new HttpRequester(definition, path, context),
  JsonDecoder: () => new JsonDecoder(),
  JsonlDecoder: () => new JsonlDecoder(),
  CsvDecoder: (definition, path, context) => new CsvDecoder(definition, path, context),
  GzipDecoder: (definition, path, context) => new GzipDecoder(definition, path, context),
  NoAuth: () => new NoAuth(),
  BearerAuthenticator: (definition, path, context) => new BearerAuthenticator(definition, path, context),
  ApiKeyAuthenticator: (definition, path, context) => new ApiKeyAuthenticator(definition, path, context),
  BasicHttpAuthenticator: (definition, path, context) => new BasicHttpAuthenticator(definition, path, context),
  OAuthAuthenticator: (definition, path, context) => new OAuthAuthenticator(definition, path, context),
  SelectiveAuthenticator: (definition, path, context) => new SelectiveAuthenticator(definition, path, context),
  ErrorHandler: (definition, path, context) => new ErrorHandler(definition, path, context),
  CompositeErrorHandler: (definition, path, context) => new CompositeErrorHandler(definition, path, context),
  HttpResponseFilter: (definition, path, context) => new HttpResponseFilter(definition, path, context),
  ExponentialBackoff: (definition) => new ExponentialBackoff(definition),
  ConstantBackoff: (definition) => new ConstantBackoff(definition),
  WaitTimeFromHeader: (definition, _path, context) => new WaitTimeFromHeader(definition, context),
  WaitUntilTimeFromHeader: (definition, path, context) => new WaitUntilTimeFromHeader(definition, path, context),
  RecordSelector: (definition, path, context) => new RecordSelector(definition, path, context),
  RecordFilter: (definition, path, context) => new RecordFilter(definition, path, context),
  RecordExpander: (definition, path, context) => new RecordExpander(definition, path, context),
  Lookup: (definition, path, context) => new Lookup(definition, path, context),
  LookupFields: (definition, path, context) => new LookupFields(definition, path, context),
  NoPagination: () => new NoPagination(),
  OffsetIncrement: (definition, path, context) => new OffsetPaginator(definition, path, context),
  PageIncrement: (definition, path, context) => new PageNumberPaginator(definition, path, context),
  CursorPagination: (definition, path, context) => new CursorPaginator(definition, path, context),
  ListPartitionRouter: (definition, path, context) => new ListPartitionRouter(definition, path, context),
  SubstreamPartitionRouter: (definition, path, context) => new SubstreamPartitionRouter(definition, path, context),
  FallbackPartitionRouter: (definition, path, context) => new FallbackPartitionRouter(definition, path, context),

  ParentStreamConfig: (definition, path, context) => new ParentStreamConfig(definition, path, context),
  CartesianProductStreamSlicer: (definition, path, context) => new CartesianProductStreamSlicer(definition, path, context),
  GroupingPartitionRouter: (definition, path, context) => new GroupingPartitionRouter(definition, path, context),
  MissingRecordsFiller: (definition, path, context) => new MissingRecordsFiller(definition, path, context),
  DatetimeBasedCursor: (definition, path, context) => new DatetimeCursor(definition, path, context),
  IncrementingCountCursor: (definition, path, context) => new IncrementingCountCursor(definition, path, context),
  AddFields: (definition, path, context) => new AddFields(definition, path, context),
  RemoveFields: (definition) => new RemoveFields(definition),
  KeysToSnakeCase: () => new KeysToSnakeCase(),
  FlattenFields: (definition) => new FlattenFields(definition),
};
