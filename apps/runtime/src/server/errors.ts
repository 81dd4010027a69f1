import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidGraphError, RunRequestError } from '../runs/manager.js';

/** An answer other than 2xx, with a message a person can act on. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Wrap an async route so a rejection reaches the error handler. (Express 5 does this too; explicit is clearer.) */
export const route =
  (
    fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown> | unknown,
  ): RequestHandler =>
  (req, res, next) => {
    Promise.resolve(fn(req, res, next)).catch(next);
  };

/** Every error becomes `{ error }` (or `{ diagnostics }` for an invalid graph) with its status. */
export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof InvalidGraphError) {
    res.status(422).json({ diagnostics: err.diagnostics });
    return;
  }
  const status =
    err instanceof HttpError || err instanceof RunRequestError
      ? err.status
      : typeof (err as { status?: unknown }).status === 'number'
        ? (err as { status: number }).status
        : 500;
  const message =
    status === 500
      ? `internal error: ${err instanceof Error ? err.message : String(err)}`
      : (err as { type?: string }).type === 'entity.parse.failed'
        ? 'the request body is not valid JSON'
        : err instanceof Error
          ? err.message
          : String(err);
  res.status(status).json({ error: message });
};
