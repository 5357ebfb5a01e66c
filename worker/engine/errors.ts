// Engine API errors: {"message": …} with Docker's status codes and Docker's wording,
// which clients match on (the CLI maps "executable file not found" to exit 127).

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const notFound = (msg: string) => new ApiError(404, msg);
export const conflict = (msg: string) => new ApiError(409, msg);
export const badRequest = (msg: string) => new ApiError(400, msg);
export const noSuchContainer = (id: string) => notFound(`No such container: ${id}`);
export const noSuchImage = (ref: string) => notFound(`No such image: ${ref}`);
export const noSuchExec = (id: string) => notFound(`No such exec instance: ${id}`);
