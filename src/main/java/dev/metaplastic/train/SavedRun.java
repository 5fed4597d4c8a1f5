package dev.metaplastic.train;

import dev.metaplastic.data.StreamDescription;

/**
 * What a training checkpoint says about its run ({@link Checkpoints#read}): how it was configured,
 * what it trains on and where it stands.
 *
 * @param config the trainer configuration the run was started with
 * @param stream the data stream it trains on
 * @param tasksConsolidated tasks its rules consolidated so far
 * @param task the task it stands at (the number of finished tasks)
 * @param epoch the epoch of that task it stands at, from 0
 * @param offset the examples of that epoch already trained on
 * @param steps training steps taken so far
 */
public record SavedRun(
    TrainerConfig config,
    StreamDescription stream,
    int tasksConsolidated,
    int task,
    int epoch,
    int offset,
    long steps) {}
