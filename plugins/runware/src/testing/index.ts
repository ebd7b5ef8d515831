export {
  type ReceivedTask,
  type RunwareStandIn,
  type StandInFault,
  type StandInOptions,
  startRunwareStandIn,
} from './runware-stand-in.ts';
