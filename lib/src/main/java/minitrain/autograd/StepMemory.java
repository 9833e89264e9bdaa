package minitrain.autograd;

import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One forward and backward pass keeps every array it creates in one block of native memory, and the next
 * pass reuses the block (an ND4J workspace). Without it each operation asks the system for fresh memory,
 * which is faulted in and zeroed page by page and only given back when the garbage collector runs: the
 * allocation can cost more than the arithmetic written into it (docs/performance.md).
 *
 * <p>Arrays created on this thread while the block is open are valid only until {@link #close}: the
 * graph of the pass dies with it. What outlives the pass, a parameter's gradient that the optimizer reads
 * next, is created {@link #outside} the block (see {@link Tensor#param}).
 */
public final class StepMemory implements AutoCloseable {

    private static final String ID = "minitrain-pass";
    // Sized by the first pass, with 30% to spare for a batch of longer records; a pass that needs more
    // spills into ordinary memory once and the block is enlarged for the next one: freed, allocated and zeroed
    // afresh, which is why a training run sizes it for its longest batch first (TrainingRun.reservePassMemory).
    private static final WorkspaceConfiguration CONFIG = config(0.3);
    // Sized by a pass known to be the longest (TrainingRun.reservePassMemory): nothing to spare.
    private static final WorkspaceConfiguration LONGEST = config(0);

    private static WorkspaceConfiguration config(double spare) {
        return WorkspaceConfiguration.builder()
                .initialSize(0)
                .policyLearning(LearningPolicy.FIRST_LOOP)
                .policyAllocation(AllocationPolicy.OVERALLOCATE)
                .overallocationLimit(spare)
                .policySpill(SpillPolicy.REALLOCATE)
                .policyReset(ResetPolicy.BLOCK_LEFT)
                .build();
    }

    private final MemoryWorkspace workspace;

    private StepMemory(MemoryWorkspace workspace) {
        this.workspace = workspace;
    }

    /** Opens the block on this thread: use with try-with-resources around one forward and backward. */
    public static StepMemory open() {
        return new StepMemory(Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, ID));
    }

    /**
     * Opens the block for the longest pass this thread will run, which sizes it: made by this pass, the block gets
     * no room to spare (a block made earlier grows to fit it, as for any pass).
     */
    public static StepMemory openForLongest() {
        return new StepMemory(Nd4j.getWorkspaceManager().getAndActivateWorkspace(LONGEST, ID));
    }

    /** The block is reset: every array created in it since {@link #open} is gone. */
    @Override
    public void close() {
        workspace.close();
    }

    /** Bytes of this thread's block (0 before the first pass): the native memory one pass needs. */
    public static long bytes() {
        return Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ID)
                ? Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ID).getCurrentSize() : 0;
    }

    /** Runs {@code body} with no block active, so the arrays it creates stay valid after the pass. */
    static <T> T outside(Supplier<T> body) {
        if (Nd4j.getMemoryManager().getCurrentWorkspace() == null) return body.get();
        try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return body.get();
        }
    }
}
