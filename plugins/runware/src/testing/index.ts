export {
  type ReceivedTask,
  type RunwareStandIn,
  type StandInFault,
  type StandInOptions,
  startRunwareStandIn,
} from './runware-stand-in.ts';
export { STAND_IN_MODELS, type StandInModel } from './stand-in-models.ts';
