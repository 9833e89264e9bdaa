package minitrain.autograd;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine's other cores, for the kernels that share their work ({@link Nd#inParts}): one helper thread per
 * core beyond the caller's, each waiting awake for its next part. A thread that sleeps between parts has to be
 * woken for each one, and that took 68 us on average in the shipped training step (measured with Java's
 * common fork-join pool, which puts idle threads to sleep), where most parts take 50 to 1000 us. So a helper,
 * once it has run a part, stays awake for the next one for a while before it sleeps: through a training step it
 * never does. Awake, it yields its core to any other thread that wants it (another learner's JVM on a shared
 * machine) rather than spinning on it: the same step time (53.4 ms either way, alternating in one JVM).
 */
final class Cores {

    /** This thread's core and the helpers'. */
    static final int COUNT = Runtime.getRuntime().availableProcessors();

    /** How long a helper stays awake for its next part before it sleeps: longer than any gap in a step. */
    private static final long SPIN_NANOS = 2_000_000;

    private static final Helper[] HELPERS = new Helper[COUNT - 1];

    static {
        for (int i = 0; i < HELPERS.length; i++) {
            HELPERS[i] = new Helper(i + 1);
            HELPERS[i].start();
        }
    }

    private Cores() {}

    /**
     * Runs parts[0] on this thread and each other part on a helper, at the same time, and returns when all have
     * ended. A part that its helper has not started by the time this thread is done with its own is taken back
     * and run here. What a part throws reaches the caller as it was thrown (the earliest part's, if several).
     */
    static void run(Runnable... parts) {
        if (parts.length - 1 > HELPERS.length || Thread.currentThread() instanceof Helper) {
            for (Runnable part : parts) part.run();   // no helper to spare (a part asking for parts of its own)
            return;
        }
        Task[] others = new Task[parts.length - 1];
        for (int i = 0; i < others.length; i++) others[i] = HELPERS[i].offer(parts[i + 1]);
        Throwable thrown = null;
        try {
            parts[0].run();
        } catch (RuntimeException | Error e) {
            thrown = e;   // rethrown once the other parts have ended: none may still be writing after we return
        }
        for (int i = 0; i < others.length; i++) {
            Throwable t = HELPERS[i].await(others[i]);
            if (thrown == null) thrown = t;
        }
        if (thrown instanceof RuntimeException) throw (RuntimeException) thrown;
        if (thrown instanceof Error) throw (Error) thrown;
    }

    /** A part handed to a helper; what it throws is kept as it is, for the caller to rethrow. */
    private static final class Task {
        final Runnable work;
        /** False when the helper's slot held another caller's part: then the caller runs this one itself. */
        boolean handedOver;
        Throwable thrown;
        /** Written last: once the caller reads it true, it also sees everything the part wrote. */
        volatile boolean done;

        Task(Runnable work) {
            this.work = work;
        }

        void runHere() {
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                thrown = e;
            }
            done = true;
        }
    }

    /** One core's thread: takes the part in its slot, runs it, and waits awake for the next. */
    private static final class Helper extends Thread {
        private final AtomicReference<Task> slot = new AtomicReference<>();

        Helper(int core) {
            super("minitrain-core-" + core);
            setDaemon(true);   // never keeps the JVM alive
        }

        Task offer(Runnable work) {
            Task task = new Task(work);
            task.handedOver = slot.compareAndSet(null, task);
            if (task.handedOver) LockSupport.unpark(this);   // in case it sleeps; a spinning helper ignores it
            return task;
        }

        /** The caller's side: takes the part back if the helper has not started it, else waits awake for it. */
        Throwable await(Task task) {
            if (!task.handedOver || slot.compareAndSet(task, null)) task.runHere();
            while (!task.done) Thread.onSpinWait();
            return task.thrown;
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Task task = slot.get();
                if (task != null && slot.compareAndSet(task, null)) {   // taken: the caller can no longer take it back
                    task.runHere();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.yield();   // awake, but any other thread that wants this core (another JVM's) gets it
                } else {
                    LockSupport.park(this);   // until offer unparks it (an unpark that came first wakes it at once)
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
