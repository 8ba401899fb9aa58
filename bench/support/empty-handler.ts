/** The cold-start baseline: a handler that only loads Powertools' logger (bundled like the others). */
import { Logger } from '@aws-lambda-powertools/logger';

const logger = new Logger({ serviceName: 'empty' });

export const handler = async (): Promise<void> => {
  logger.info('empty');
};
