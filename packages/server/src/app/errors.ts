import { AetherError } from '@aether/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SIGNUP_INVITE_REQUIRED: 403,
  INVITE_INVALID: 403,
  TENANT_SLUG_TAKEN: 409,
  USER_EMAIL_TAKEN: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  INVALID_RUN_TRANSITION: 409,
  RUN_NOT_CANCELLABLE: 409,
  RUN_OWNED_ELSEWHERE: 409,
  RATE_LIMITED: 429,
  APPROVAL_ALREADY_DECIDED: 409,
  RUN_NOT_FINISHED: 409,
  MASTER_KEY_MISSING: 503,
};

/** The HTTP status of an error: AetherErrors by code and category, Fastify's by their own status. */
export function statusOf(error: unknown): number {
  if (error instanceof AetherError) {
    const known = STATUS_BY_CODE[error.code];
    if (known !== undefined) return known;
    if (error.code.endsWith('_NOT_FOUND')) return 404;
    if (error.category === 'user') return 400;
    return 500;
  }
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** Stable codes for Fastify's own errors. */
function fastifyCode(error: FastifyError, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'BODY_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'BODY_INVALID_JSON';
    default:
      if (error.validation !== undefined) return 'VALIDATION_FAILED';
      if (status === 429) return 'RATE_LIMITED';
      if (status === 404) return 'NOT_FOUND';
      return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  }
}

/** Answers every error in one shape; an unexpected one is logged and shown without detail. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const status = statusOf(error);
  let body: ErrorBody;
  if (error instanceof AetherError) {
    body = {
      error: {
        code: error.code,
        message: status >= 500 && error.category !== 'user' ? 'internal error' : error.message,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      },
    };
  } else {
    const fastifyError = error as FastifyError;
    const code = fastifyCode(fastifyError, status);
    const message =
      code === 'BODY_TOO_LARGE'
        ? `body: larger than the limit of ${request.server.initialConfig.bodyLimit} bytes`
        : code === 'BODY_INVALID_JSON'
          ? `body: not valid JSON (${fastifyError.message})`
          : status >= 500
            ? 'internal error'
            : fastifyError.message;
    body = { error: { code, message } };
  }
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  reply.status(status).send(body);
}
