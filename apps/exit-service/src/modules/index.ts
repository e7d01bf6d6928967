import { type ResolvedModule } from '../config/exit-config';
import { FilePublisher } from './file/file-publisher';
import { MailModule } from './mail/mail';
import { type ExitModule } from './types';
import { WebhookModule } from './webhook/webhook';

/** The shipped modules, built from the validated configuration. */
export function createModule(cfg: ResolvedModule): ExitModule {
  switch (cfg.type) {
    case 'file':
      return new FilePublisher(cfg);
    case 'webhook':
      return new WebhookModule(cfg);
    case 'mail':
      return new MailModule(cfg);
  }
}

export type { ExitModule, DeliveryContext } from './types';
export { PermanentDeliveryError } from './types';
