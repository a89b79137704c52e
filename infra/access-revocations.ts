// Access tokens withdrawn before they expire: a disabled user's tokens stop working at once on
// every node (each gateway hears `user.access.revoked` and keeps, per user, the instant before
// which their tokens are refused, for as long as a token can live). Per process, shared by the
// api and ws gateways of a node.
import { callAction } from './actions.ts';
import { createHmac } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import { configOf } from '../config/index.ts';
import { nodesRunning } from './registry.ts';

const revokedBefore = new Map<string, number>();
/**
 * Deleted accounts, by their pseudonymous subject (accountSubject): a gateway that starts after
 * the deletion knows them only so (nothing stored keeps the account's id), and refuses their
 * tokens still alive.
 */
const subjectsRevokedBefore = new Map<string, number>();

/**
 * A keyed hash (with the JWT secret) of an account's id: what is kept of a deleted account (its
 * audit record), never reversible.
 */
export function accountSubject(userId: string, jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update(`deleted-account:${userId}`).digest('hex');
}

/** Tokens of the deleted account whose subject this is, issued before `before` (ms), are refused. */
export function revokeSubject(subject: string, before: number): void {
  subjectsRevokedBefore.set(subject, Math.max(before, subjectsRevokedBefore.get(subject) ?? 0));
}

/** Tokens of `userId` issued before `before` (ms) are refused from now on. */
export function revokeAccess(userId: string, before: number): void {
  revokedBefore.set(userId, Math.max(before, revokedBefore.get(userId) ?? 0));
}

/**
 * True when the token was issued before its user's access was withdrawn. A token carries its
 * issue time in whole seconds, so one issued in the same second as the withdrawal counts as before.
 */
export function isRevoked(userId: string, issuedAt: number, jwtSecret: string): boolean {
  const before = revokedBefore.get(userId);
  if (before !== undefined && issuedAt <= before) return true;
  if (!subjectsRevokedBefore.size) return false;
  const deleted = subjectsRevokedBefore.get(accountSubject(userId, jwtSecret));
  return deleted !== undefined && issuedAt <= deleted;
}

/** Forgets withdrawals older than any token could be (the access-token lifetime). */
export function forgetRevocationsBefore(cutoff: number): void {
  for (const [userId, before] of revokedBefore) if (before < cutoff) revokedBefore.delete(userId);
  for (const [subject, before] of subjectsRevokedBefore)
    if (before < cutoff) subjectsRevokedBefore.delete(subject);
}

/**
 * Asks the users service who was disabled within a token's lifetime (a gateway that starts
 * after the event was broadcast). Waits for the service for up to a minute.
 */
export async function loadRevocations(broker: ServiceBroker): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (!nodesRunning(broker, 'users').length) {
    if (Date.now() > deadline || broker.stopping) return 0;
    await new Promise((r) => setTimeout(r, 500));
  }
  const since = Date.now() - configOf(broker).auth.accessTokenTtlMs;
  const { users, deleted } = await callAction(broker, 'users.recentlyDisabled', { since });
  for (const u of users) revokeAccess(u.userId, u.at);
  for (const d of deleted) revokeSubject(d.subject, d.at);
  forgetRevocationsBefore(since);
  return users.length + deleted.length;
}
