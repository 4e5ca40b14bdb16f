/**
 * Fault rules for the stand-in servers: checked in insertion order, the first matching rule with
 * uses left applies and loses one use. Each stand-in says what a rule matches and what is valid.
 */

/** A handle on one added rule. */
export interface RuleHandle {
  remaining(): number;
  remove(): void;
}

/** One fault rule: which requests (`when`, default any), how many (`times`, default Infinity), and what to do. */
export interface FaultRuleOf<M, A> {
  when?: M;
  times?: number;
  action: A;
}

/** Adds and clears a stand-in's fault rules (the first matching rule with uses left applies). */
export interface RuleController<R> {
  add(rule: R): RuleHandle;
  clear(): void;
}

interface Entry<R> {
  rule: R;
  remaining: number;
}

/**
 * @example
 * const rules = new RuleRegistry<MyRule, MyAction, string>((rule, path) => rule.when?.path === path, validateMyRule);
 * rules.add({ times: 1, action: { type: 'status', status: 503 } });
 */
export class RuleRegistry<R extends { times?: number; action: A }, A, T> {
  private entries: Array<Entry<R>> = [];

  constructor(
    private readonly matches: (rule: R, target: T) => boolean,
    private readonly validate: (rule: R) => void,
  ) {}

  add(rule: R): RuleHandle {
    const times = rule.times ?? Infinity;
    if (!(times === Infinity || (Number.isInteger(times) && times >= 0))) {
      throw new Error(`fault times must be a non-negative integer or Infinity, got ${rule.times}`);
    }
    this.validate(rule);
    const entry: Entry<R> = { rule, remaining: times };
    this.entries.push(entry);
    return {
      remaining: () => entry.remaining,
      remove: () => {
        entry.remaining = 0;
        this.entries = this.entries.filter((other) => other !== entry);
      },
    };
  }

  clear(): void {
    for (const entry of this.entries) entry.remaining = 0;
    this.entries = [];
  }

  /** The action for this request, if a rule applies; uses up one application of that rule. */
  take(target: T): A | undefined {
    const entry = this.entries.find((candidate) => candidate.remaining > 0 && this.matches(candidate.rule, target));
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    return entry.rule.action;
  }
}
