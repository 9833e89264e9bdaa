package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The helper threads: every part runs exactly once, whoever runs it (a helper, or the caller taking it back); a
 * part that asks for parts of its own, and two callers at once, still end; pieces handed out in turn cover
 * every index once.
 */
class CoresTest {

    @Test
    void everyPartRunsOnceAndTheOtherCoresTakePart() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        // At least 200 rounds, and on until a helper has taken a part (at most 10 s): on a machine busy with other
        // work a helper may not get a core within the first 200 rounds' few milliseconds.
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (int round = 0; round < 200 || (Cores.COUNT > 1 && System.nanoTime() < deadline
                && threads.stream().noneMatch(t -> t.startsWith("minitrain-core-"))); round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Cores.COUNT);
            Runnable[] parts = new Runnable[Cores.COUNT];
            for (int i = 0; i < parts.length; i++) {
                int me = i;
                parts[i] = () -> {
                    runs.incrementAndGet(me);
                    threads.add(Thread.currentThread().getName());
                    spin(20_000);   // long enough for a helper to take its part before the caller is done
                };
            }
            Cores.run(parts);
            for (int i = 0; i < parts.length; i++) assertEquals(1, runs.get(i), "round " + round + ", part " + i);
        }
        if (Cores.COUNT > 1) assertTrue(threads.stream().anyMatch(t -> t.startsWith("minitrain-core-")), "" + threads);
    }

    @Test
    void aPartThatAsksForPartsRunsThemItself() {
        int[] seen = new int[100];
        Cores.run(() -> Nd.inParts(50, (from, to) -> { for (int i = from; i < to; i++) seen[i]++; }),
                () -> Nd.inParts(50, (from, to) -> { for (int i = from; i < to; i++) seen[50 + i]++; }));
        for (int i = 0; i < seen.length; i++) assertEquals(1, seen[i], "index " + i);
    }

    @Test
    void twoCallersAtOnceBothEnd() throws Exception {
        int[][] seen = new int[2][10_000];
        Thread other = new Thread(() -> {
            for (int r = 0; r < 50; r++) Nd.forRows(10_000, i -> seen[1][i]++);
        });
        other.start();
        for (int r = 0; r < 50; r++) Nd.forRows(10_000, i -> seen[0][i]++);
        other.join(60_000);
        assertFalse(other.isAlive());
        for (int[] s : seen) for (int i = 0; i < s.length; i++) assertEquals(50, s[i], "index " + i);
    }

    @Test
    void piecesHandedOutInTurnCoverEveryIndexOnce() {
        for (int n : new int[] {0, 1, 2, 3, 15, 16, 17, 1000, 4097}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(n, 1));
            Set<Object> arrays = ConcurrentHashMap.newKeySet();
            Nd.inTurns(n, () -> {
                Object mine = new Object();   // each core's working arrays: made once, used for all its pieces
                arrays.add(mine);
                return (from, to) -> {
                    for (int i = from; i < to; i++) seen.incrementAndGet(i);
                };
            });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n " + n + ", index " + i);
            assertTrue(arrays.size() <= Cores.COUNT, "one set of arrays per core at most, got " + arrays.size());
        }
    }

    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }
}
