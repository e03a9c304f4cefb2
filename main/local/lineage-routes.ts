import type { Router } from 'express';
import { notFound } from './errors.ts';
import { ancestorsOf, forksOf } from './lifecycle/lineage.ts';
import type { SandboxService } from './sandbox-service.ts';

/** Daytona's fork lineage routes: a sandbox's forks, its parent and its chain of ancestors (oldest first). */
export function lineageRoutes(router: Router, service: SandboxService): void {
  const lookup = (id: string) => service.list().find((record) => record.id === id);

  router.get('/sandbox/:idOrName/forks', (req, res) => {
    const record = service.get(req.params.idOrName);
    res.json(forksOf(service.list(), record).map((fork) => service.dto(fork)));
  });

  router.get('/sandbox/:idOrName/parent', (req, res) => {
    const record = service.get(req.params.idOrName);
    const parent = record.forkedFrom === undefined ? undefined : lookup(record.forkedFrom);
    if (!parent) {
      throw notFound(
        `Parent sandbox not found for sandbox ${req.params.idOrName}: ${record.forkedFrom ? 'its parent was deleted' : 'it was not forked from another sandbox'}.`,
      );
    }
    res.json(service.dto(parent));
  });

  router.get('/sandbox/:idOrName/ancestors', (req, res) => {
    const record = service.get(req.params.idOrName);
    res.json(ancestorsOf(lookup, record).map((ancestor) => service.dto(ancestor)));
  });
}
