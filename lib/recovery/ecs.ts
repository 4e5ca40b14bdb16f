/**
 * The task-runner port the AWS recovery function uses to see, stop and start the daily backtest,
 * and its ECS adapter (Fargate RunTask / StopTask / ListTasks + DescribeTasks). Works against AWS
 * and moto alike; `createEcsClient` reads the endpoint from the environment so emulators need no
 * code path of their own.
 */
import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClientConfig,
  type Task,
} from '@aws-sdk/client-ecs';

/**
 * One backtest task as the runner sees it.
 * @example const task: RunningTask = { taskId: 'arn:aws:ecs:us-east-1:1:task/backtest/abc', lastStatus: 'RUNNING' };
 */
export interface RunningTask {
  /** The task ARN on ECS (what ECS events call `taskArn`). */
  taskId: string;
  /** When its containers started; unknown while it is still being placed (and on moto). */
  startedAtMs?: number;
  /** ECS `lastStatus`: PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, … */
  lastStatus: string;
}

/**
 * What recovery needs from wherever the backtest runs: start one, stop one, list the live ones.
 *
 * @example
 * const { taskId } = await runner.runTask('candlelake-recovery: restart 1 after crash');
 * await runner.stopTask(taskId, 'candlelake-recovery: hung (no heartbeat for 150 s)');
 */
export interface TaskRunner {
  /** Starts one backtest task; `reason` says why (ECS: passed to the container as an env var). */
  runTask(reason: string): Promise<{ taskId: string }>;
  stopTask(taskId: string, reason: string): Promise<void>;
  /** Backtest tasks that are meant to run (desired status RUNNING), whoever started them. */
  runningTasks(): Promise<RunningTask[]>;
}

/** `startedBy` of every task the recovery function starts (ECS allows up to 128 characters). */
export const RECOVERY_STARTED_BY = 'candlelake-recovery';

/** The environment variable a restarted task finds its restart reason in. */
export const RECOVERY_REASON_ENV = 'CANDLELAKE_RECOVERY_REASON';

/** StopTask rejects reasons longer than this. */
const STOP_REASON_MAX_CHARS = 255;
/** DescribeTasks takes at most this many tasks per call. */
const DESCRIBE_TASKS_MAX = 100;

/**
 * Where and how {@link EcsTaskRunner} runs the backtest.
 *
 * @example
 * const options: EcsTaskRunnerOptions = {
 *   cluster: 'candlelake', taskDefinition: 'candlelake-backtest', subnets: ['subnet-1'],
 *   securityGroups: ['sg-1'], assignPublicIp: true, containerName: 'backtest',
 * };
 */
export interface EcsTaskRunnerOptions {
  /** Cluster name or ARN. */
  cluster: string;
  /** Task definition as RunTask takes it: `family`, `family:revision` or its ARN. */
  taskDefinition: string;
  subnets: string[];
  securityGroups: string[];
  /** Fargate in a public subnet without a NAT gateway needs a public IP to reach S3 and the exchange. */
  assignPublicIp: boolean;
  /** The backtest container in the task definition (its exit code is the task's). */
  containerName: string;
  /** Defaults to a client built by {@link createEcsClient} from `process.env`. */
  client?: ECSClient;
}

/**
 * Builds an ECS client from the environment: region from `AWS_REGION` / `AWS_DEFAULT_REGION`
 * (default `us-east-1`), and for emulators `AWS_ENDPOINT_URL_ECS` / `AWS_ENDPOINT_URL`.
 *
 * @example
 * process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000'; // moto
 * const client = createEcsClient();
 */
export function createEcsClient(env: NodeJS.ProcessEnv = process.env): ECSClient {
  const endpoint = env.AWS_ENDPOINT_URL_ECS || env.AWS_ENDPOINT_URL;
  const config: ECSClientConfig = { region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' };
  if (endpoint) config.endpoint = endpoint;
  return new ECSClient(config);
}

/**
 * The family of a task definition given as `family`, `family:revision` or an ARN
 * (`arn:aws:ecs:region:account:task-definition/family:revision`).
 * @example ecsTaskDefinitionFamily('arn:aws:ecs:us-east-1:1:task-definition/candlelake-backtest:7') // 'candlelake-backtest'
 */
export function ecsTaskDefinitionFamily(taskDefinition: string): string {
  const afterSlash = taskDefinition.startsWith('arn:') ? taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1) : taskDefinition;
  return afterSlash.replace(/:\d+$/, '');
}

/** RunTask answered without a task (capacity, bad network settings, missing image, …). */
export class EcsRunTaskError extends Error {
  constructor(readonly taskDefinition: string, readonly failures: string[]) {
    super(`RunTask ${taskDefinition} started no task: ${failures.join('; ') || 'no reason given'}`);
    this.name = 'EcsRunTaskError';
  }
}

/**
 * A {@link TaskRunner} over one ECS cluster and task definition on Fargate. Tasks it starts
 * carry `startedBy: 'candlelake-recovery'`; `runningTasks` lists the task definition's family
 * whoever started the task (the EventBridge schedule or this runner).
 *
 * @example
 * const runner = new EcsTaskRunner({ cluster: 'candlelake', taskDefinition: 'candlelake-backtest',
 *   subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: true, containerName: 'backtest' });
 * const live = await runner.runningTasks();
 */
export class EcsTaskRunner implements TaskRunner {
  readonly cluster: string;
  readonly taskDefinition: string;
  /** The task definition's family: what `runningTasks` lists by. */
  readonly family: string;
  readonly containerName: string;
  private readonly subnets: string[];
  private readonly securityGroups: string[];
  private readonly assignPublicIp: boolean;
  private readonly client: ECSClient;

  constructor(options: EcsTaskRunnerOptions) {
    if (!options.cluster) throw new RangeError('EcsTaskRunner needs a cluster');
    if (!options.taskDefinition) throw new RangeError('EcsTaskRunner needs a task definition');
    if (!options.containerName) throw new RangeError('EcsTaskRunner needs the backtest container name');
    // Fargate only runs in awsvpc mode, which needs at least one subnet.
    if (options.subnets.length === 0) throw new RangeError('EcsTaskRunner needs at least one subnet (Fargate runs in awsvpc mode)');
    this.cluster = options.cluster;
    this.taskDefinition = options.taskDefinition;
    this.family = ecsTaskDefinitionFamily(options.taskDefinition);
    this.containerName = options.containerName;
    this.subnets = [...options.subnets];
    this.securityGroups = [...options.securityGroups];
    this.assignPublicIp = options.assignPublicIp;
    this.client = options.client ?? createEcsClient();
  }

  async runTask(reason: string): Promise<{ taskId: string }> {
    const response = await this.client.send(
      new RunTaskCommand({
        cluster: this.cluster,
        taskDefinition: this.taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: RECOVERY_STARTED_BY,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: this.subnets,
            securityGroups: this.securityGroups,
            assignPublicIp: this.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        // The task can log why it was started; RunTask has no "reason" field of its own.
        overrides: { containerOverrides: [{ name: this.containerName, environment: [{ name: RECOVERY_REASON_ENV, value: reason }] }] },
      }),
    );
    const taskArn = response.tasks?.[0]?.taskArn;
    if (taskArn === undefined) {
      const failures = (response.failures ?? []).map((f) => [f.arn, f.reason, f.detail].filter(Boolean).join(' '));
      throw new EcsRunTaskError(this.taskDefinition, failures);
    }
    return { taskId: taskArn };
  }

  async stopTask(taskId: string, reason: string): Promise<void> {
    await this.client.send(
      new StopTaskCommand({ cluster: this.cluster, task: taskId, reason: reason.slice(0, STOP_REASON_MAX_CHARS) }),
    );
  }

  async runningTasks(): Promise<RunningTask[]> {
    const taskArns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListTasksCommand({ cluster: this.cluster, family: this.family, desiredStatus: 'RUNNING', nextToken }),
      );
      taskArns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);

    const tasks: RunningTask[] = [];
    for (let start = 0; start < taskArns.length; start += DESCRIBE_TASKS_MAX) {
      const page = await this.client.send(
        new DescribeTasksCommand({ cluster: this.cluster, tasks: taskArns.slice(start, start + DESCRIBE_TASKS_MAX) }),
      );
      for (const task of page.tasks ?? []) {
        const running = toRunningTask(task);
        if (running) tasks.push(running);
      }
    }
    return tasks;
  }
}

function toRunningTask(task: Task): RunningTask | undefined {
  if (task.taskArn === undefined) return undefined;
  // Between ListTasks and DescribeTasks a task may have been told to stop.
  if (task.desiredStatus !== undefined && task.desiredStatus !== 'RUNNING') return undefined;
  return {
    taskId: task.taskArn,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    ...(task.startedAt ? { startedAtMs: task.startedAt.getTime() } : {}),
  };
}
