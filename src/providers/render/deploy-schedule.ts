import { renderTarget } from './targets.ts';

/**
 * When each Render service of a run is deployed, so that every service whose variables changed
 * (its own, or those of an environment group linked to it) is deployed ONCE per run, and only
 * after the last change that could reach it.
 *
 * Why: a deploy takes the variables as they are when it starts. A service deployed for its own
 * change and then again for its group's would cost two deploys (Render allows 10 a minute per
 * service); deployed once before its group changed, it would miss the group's values. So a
 * service owed a deploy is sent at its "due turn": its own turn when it is a target of the run
 * (groups come first in the target order, see settings.ts), otherwise the turn of the run's last
 * group. The engine asks at every target's turn (`ProviderConnection.owesRedeploy`), so a service
 * whose own sync changed nothing is still deployed for its group.
 *
 * One schedule per connection, i.e. per run and API key. What it does not guarantee: when a run
 * hands targets on to the background function before a due turn, the owed deploy is not carried
 * over (the next run that changes the group or the service deploys it).
 */
export interface DeploySchedule {
  /** A service target's own variables changed: it owes a deploy. */
  serviceChanged(serviceId: string): void;
  /** A group's variables changed: each service linked to it owes a deploy. */
  groupChanged(linkedServiceIds: readonly string[]): void;
  /** The owed services whose due turn is `targetId`'s or earlier (a target outside the run: all). */
  dueAt(targetId: string): readonly string[];
  /** The owed services whose due turn came before `targetId`'s and passed without a deploy. */
  overdueAt(targetId: string): readonly string[];
  /** Whether `serviceId` still owes a deploy. */
  owes(serviceId: string): boolean;
  /** The services were deployed (or their deploy was attempted): they owe nothing any more. */
  sent(serviceIds: readonly string[]): void;
}

/** Creates the schedule of one run over `runTargets`, in the order the run syncs them. */
export function createDeploySchedule(runTargets: readonly string[]): DeploySchedule {
  const owed = new Set<string>();
  const lastGroupTurn = runTargets.findLastIndex((id) => renderTarget(id).kind === 'env-group');
  const dueTurn = (serviceId: string) => Math.max(runTargets.indexOf(serviceId), lastGroupTurn);
  const owedWhere = (keep: (due: number) => boolean) => [...owed].filter((serviceId) => keep(dueTurn(serviceId)));
  return {
    serviceChanged: (serviceId) => owed.add(serviceId),
    groupChanged: (linked) => {
      for (const serviceId of linked) owed.add(serviceId);
    },
    dueAt: (targetId) => {
      const turn = runTargets.indexOf(targetId);
      return turn === -1 ? [...owed] : owedWhere((due) => due <= turn);
    },
    overdueAt: (targetId) => {
      const turn = runTargets.indexOf(targetId);
      return turn === -1 ? [] : owedWhere((due) => due < turn);
    },
    owes: (serviceId) => owed.has(serviceId),
    sent: (serviceIds) => {
      for (const serviceId of serviceIds) owed.delete(serviceId);
    },
  };
}
