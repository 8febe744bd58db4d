// StatesLanguage — the Amazon States Language (JSONPath flavour) for Signalbox's saga engine.
//
// How the Step Functions service uses it:
//
//   1. `StateMachineDefinition(parsing:)` validates a definition; its `InvalidDefinition`
//      error carries AWS-shaped diagnostics and the CreateStateMachine message, and
//      `StateMachineDefinition.validate(_:)` answers ValidateStateMachineDefinition.
//   2. `Execution.start(definition:context:input:at:seed:)` returns the execution value and
//      the first `Step`: history events to append and effects to perform.
//   3. Each outside happening is one call returning the next `Step`: `taskStarted`,
//      `taskSubmitted`, `taskSucceeded`, `taskFailed`, `taskHeartbeat`, `timerFired`, `stop`,
//      `redrive`. Store the execution (it is Codable) together with the step's events in one
//      transaction, then perform the effects.
//   4. After a restart, decode the stored execution, offer `pendingTasks` again and re-arm
//      `pendingTimers` (firing those already past). Stale timer ids are ignored.
//
// The module does no I/O and reads no clock: every input carries `at: Date`, and all
// randomness comes from a generator seeded at start and stored with the execution.
