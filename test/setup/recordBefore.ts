import { recordBefore } from './checkNothingLeft';

export default async function setup(): Promise<void> {
  recordBefore();
}
