/** A range that cluster subnets must stay clear of, with the reason shown when one overlaps. */
export interface ReservedRange {
  readonly cidr: string;
  readonly reason: string;
}

/**
 * Ranges known from the files alone: kind's default service subnet (kind pkg/apis/config defaults: 10.96.0.0/16) and
 * Docker's default bridge, which kind nodes route to. The kind Docker network's subnet is added at plan time, when
 * Docker can be asked.
 */
export const FIXED_RESERVED_RANGES: readonly ReservedRange[] = [
  { cidr: '10.96.0.0/16', reason: "kind's default service subnet" },
  { cidr: '172.17.0.0/16', reason: "Docker's default bridge network" },
];
