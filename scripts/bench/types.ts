export interface Scenario {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  target: string;
  pass: boolean;
  extra?: Record<string, number | string>;
}
