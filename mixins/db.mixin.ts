// Gives a service the process-wide mongoose connection and makes sure the indexes its
// models declare exist before it starts serving.
import type { ServiceSchema } from 'moleculer';
import { acquireMongo, releaseMongo } from './connections.ts';

interface IndexedModel {
  modelName: string;
  createIndexes(): Promise<unknown>;
}

export function DbMixin(models: IndexedModel[]): Partial<ServiceSchema> {
  return {
    async started() {
      await acquireMongo();
      for (const model of models) await model.createIndexes();
    },
    async stopped() {
      await releaseMongo();
    },
  };
}

/** True for MongoDB's duplicate-key error (a unique index said no). */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
