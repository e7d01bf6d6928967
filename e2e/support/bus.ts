export { BusSubmit, Commands } from '@signet/contracts';
export { decodeJson, encodeJson } from '@signet/bus';
