// Gives a service the process-wide mongoose connection and makes sure the indexes its
// models declare exist before it starts serving.
import type { ServiceSchema } from 'moleculer';
import { configOf } from '../config/index.ts';
import { acquireMongo, releaseMongo } from '../infra/connections.ts';

interface IndexedModel {
  modelName: string;
  createIndexes(): Promise<unknown>;
}

export function DbMixin(models: IndexedModel[]): Partial<ServiceSchema> {
  return {
    async started() {
      await acquireMongo(configOf(this.broker).mongoUrl);
      for (const model of models) await model.createIndexes();
    },
    async stopped() {
      await releaseMongo();
    },
  };
}
