// Demo data for the embedded default: idempotent, so restarts never duplicate it.
import bcrypt from 'bcrypt';
import type { Config } from '../config/index.ts';
import { acquireMongo, releaseMongo } from '../mixins/connections.ts';
import { User } from '../mixins/models/user.model.ts';

export const DEMO_USERS = [
  { email: 'demo@finexia.app', password: 'demo-finexia-2026', name: 'Dana Demo', role: 'user' },
  { email: 'admin@finexia.app', password: 'admin-finexia-2026', name: 'Avery Admin', role: 'admin' },
] as const;

export async function seedDemoData(cfg: Config): Promise<void> {
  await acquireMongo();
  try {
    for (const demo of DEMO_USERS) {
      if (await User.exists({ email: demo.email })) continue;
      await User.create({
        email: demo.email,
        name: demo.name,
        role: demo.role,
        passwordHash: await bcrypt.hash(demo.password, cfg.auth.bcryptCost),
      });
    }
  } finally {
    await releaseMongo();
  }
}
