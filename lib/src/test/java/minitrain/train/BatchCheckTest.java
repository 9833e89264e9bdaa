package minitrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import minitrain.Rng;
import org.junit.jupiter.api.Test;

/** Lab 00's batch checks: a right answer passes, each kind of wrong answer gets its hint, null is unanswered. */
class BatchCheckTest {

    static final int PAD = 0;

    /** Records <bos>=1 .. <eos>=2 of 3 to 24 tokens; lengths repeat, the longest (30 tokens) sits in the middle. */
    static List<int[]> pool() {
        Rng rng = new Rng(5);
        List<int[]> pool = new ArrayList<>();
        for (int k = 0; k < 60; k++) pool.add(record(3 + rng.nextInt(22), rng));
        pool.add(30, record(30, rng));
        return pool;
    }

    static int[] record(int n, Rng rng) {
        int[] r = new int[n];
        r[0] = 1;
        for (int i = 1; i < n - 1; i++) r[i] = 3 + rng.nextInt(20);
        r[n - 1] = 2;
        return r;
    }

    /** A learner's batch written from the rules, not by calling Batch.of; {@code edit} breaks one of them. */
    static Batch written(List<int[]> records, Edit edit) {
        int b = records.size(), t = 0;
        for (int[] r : records) t = Math.max(t, r.length - 1);
        int[][] idx = new int[b][t], targets = new int[b][t];
        boolean[][] real = new boolean[b][t], counted = new boolean[b][t];
        int tokens = 0, padInput = edit == Edit.PAD_WITH_EOS ? 2 : PAD;
        for (int row = 0; row < b; row++) {
            int[] r = records.get(row);
            for (int i = 0; i < t; i++) {
                boolean in = i < r.length - 1;
                idx[row][i] = in ? r[i] : padInput;
                targets[row][i] = in ? r[i + (edit == Edit.NO_SHIFT ? 0 : 1)] : PAD;
                real[row][i] = in;
                counted[row][i] = in || edit == Edit.GRADE_PADS;
                if (in) tokens++;
            }
        }
        return new Batch(idx, targets, real, counted, tokens + (edit == Edit.TOKENS_PLUS_ONE ? 1 : 0));
    }

    enum Edit { NONE, NO_SHIFT, GRADE_PADS, PAD_WITH_EOS, TOKENS_PLUS_ONE }

    static String check(Function<List<int[]>, Batch> learner) {
        return BatchCheck.batch("myBatch", learner, pool(), PAD, 20);
    }

    @Test
    void theDrawsCoverOneRecordTheLongestRecordAndEqualLengthsTheSameWayForTheSameSeed() {
        List<int[]> pool = pool();
        List<BatchCheck.Draw> draws = BatchCheck.draws(pool, 20);
        assertEquals(3 + BatchCheck.RANDOM_DRAWS, draws.size());
        assertEquals(1, draws.get(0).records().size());
        assertEquals(30, draws.get(1).records().get(1).length, "the longest record sits in row 1");
        List<int[]> equal = draws.get(2).records();
        assertTrue(equal.size() > 1 && equal.stream().allMatch(r -> r.length == equal.get(0).length));
        for (BatchCheck.Draw d : draws.subList(3, draws.size())) {
            assertTrue(d.records().size() >= 1 && d.records().size() <= BatchCheck.MAX_RECORDS, d.name());
        }
        List<BatchCheck.Draw> again = BatchCheck.draws(pool, 20), other = BatchCheck.draws(pool, 21);
        for (int d = 0; d < draws.size(); d++) {
            for (int r = 0; r < draws.get(d).records().size(); r++) {
                assertArrayEquals(draws.get(d).records().get(r), again.get(d).records().get(r));
            }
        }
        assertTrue(differ(draws, other), "another seed draws other batches");
    }

    static boolean differ(List<BatchCheck.Draw> a, List<BatchCheck.Draw> b) {
        for (int d = 3; d < a.size(); d++) {
            if (a.get(d).records().size() != b.get(d).records().size()) return true;
            for (int r = 0; r < a.get(d).records().size(); r++) {
                if (a.get(d).records().get(r) != b.get(d).records().get(r)) return true;
            }
        }
        return false;
    }

    @Test
    void aBatchWrittenFromTheRulesIsCorrectAndNullIsNotAnsweredYet() {
        String ok = check(records -> written(records, Edit.NONE));
        assertTrue(ok.startsWith("correct: myBatch equals Batch.of on 203 batches: a one-record batch, "), ok);
        assertEquals("not answered yet: write myBatch in the cell above, then run this check again",
                check(records -> null));
    }

    @Test
    void eachWrongBatchNamesTheFirstDifferingCellAndTheRuleItBreaks() {
        String noShift = check(records -> written(records, Edit.NO_SHIFT));
        assertTrue(noShift.startsWith("not right yet: myBatch on a one-record batch: targets[0][0] is 1 where"
                + " Batch.of has "), noShift);
        assertTrue(noShift.contains("the target at i is the token after input i"), noShift);
        String pads = check(records -> written(records, Edit.GRADE_PADS));
        assertTrue(pads.contains("on the batch holding the longest record (30 tokens, row 1): counted[0]["), pads);
        assertTrue(pads.contains("false where the target is padding"), pads);
        String eos = check(records -> written(records, Edit.PAD_WITH_EOS));
        assertTrue(eos.contains(": idx[0][") && eos.contains(" is 2 where Batch.of has 0"), eos);
        assertTrue(eos.contains("then padId up to T"), eos);
        String tokens = check(records -> written(records, Edit.TOKENS_PLUS_ONE));
        assertTrue(tokens.contains("a one-record batch: tokens is "), tokens);
        assertTrue(tokens.contains("the sum of n - 1 over the records"), tokens);
        String width = check(records -> written(records.subList(0, 1), Edit.NONE));
        assertTrue(width.contains("idx has 1 rows where the library has 4"), width);
        assertTrue(width.contains("one row per record"), width);
    }

    @Test
    void codeThatThrowsOrReturnsNullLaterIsReportedNotThrown() {
        // T taken from row 0: the batch holding the longest record (in row 1) runs past the end of row 0's arrays.
        String rowZero = check(records -> {
            Batch right = written(records, Edit.NONE);
            int t = records.get(0).length - 1;
            int[][] idx = new int[records.size()][t];
            for (int b = 0; b < records.size(); b++) {
                for (int i = 0; i < records.get(b).length - 1; i++) idx[b][i] = records.get(b)[i];
            }
            return new Batch(idx, right.targets(), right.real(), right.counted(), right.tokens());
        });
        assertTrue(rowZero.startsWith("not right yet: myBatch on the batch holding the longest record"
                + " (30 tokens, row 1): threw ArrayIndexOutOfBoundsException"), rowZero);
        assertTrue(rowZero.contains("T is the longest record's length minus one"), rowZero);
        String lateNull = check(records -> records.size() == 1 ? written(records, Edit.NONE) : null);
        assertTrue(lateNull.startsWith("not right yet: myBatch on the batch holding the longest record"), lateNull);
        assertTrue(lateNull.contains("returned null"), lateNull);
    }

    /** The mask written from its two rules, one of which {@code edit} can drop. */
    static boolean[][][] mask(Batch batch, String edit) {
        int b = batch.real().length, t = batch.real()[0].length;
        boolean[][][] m = new boolean[b][t][t];
        for (int row = 0; row < b; row++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    boolean causal = edit.equals("no causal") || (edit.equals("no diagonal") ? j < i : j <= i);
                    m[row][i][j] = causal && (edit.equals("no key mask") || batch.real()[row][j]);
                }
            }
        }
        return m;
    }

    static String checkMask(Function<Batch, boolean[][][]> learner) {
        return BatchCheck.attention("myAttention", learner, pool(), PAD, 20);
    }

    @Test
    void aMaskWrittenFromTheRulesIsCorrectAndEachMissingRuleGetsItsHint() {
        String ok = checkMask(batch -> mask(batch, ""));
        assertTrue(ok.startsWith("correct: myAttention equals Batch.attentionMask on 203 batches"), ok);
        assertEquals("not answered yet: write myAttention in the cell above, then run this check again",
                checkMask(batch -> null));
        String causal = checkMask(batch -> mask(batch, "no causal"));
        assertTrue(causal.contains("a one-record batch: mask[0][0][1] is true where Batch.attentionMask has false"),
                causal);
        assertTrue(causal.contains("causal: query i never reads a later key"), causal);
        String keys = checkMask(batch -> mask(batch, "no key mask"));
        assertTrue(keys.contains("on the batch holding the longest record") && keys.contains("is padding"), keys);
        String diagonal = checkMask(batch -> mask(batch, "no diagonal"));
        assertTrue(diagonal.contains("mask[0][0][0] is false") && diagonal.contains("itself included"), diagonal);
        String shape = checkMask(batch -> new boolean[batch.real().length][1][1]);
        assertTrue(shape.startsWith("not right yet: myAttention on a one-record batch: mask[0] has 1 positions"),
                shape);
        String thrown = checkMask(batch -> { throw new IllegalStateException("boom"); });
        assertTrue(thrown.contains("threw IllegalStateException: boom"), thrown);
    }

    @Test
    void theLearnersCodeCannotEditThePool() {
        List<int[]> pool = pool();
        int[] first = pool.get(0).clone();
        BatchCheck.batch("myBatch", records -> {
            for (int[] r : records) java.util.Arrays.fill(r, 9);
            return null;
        }, pool, PAD, 20);
        assertArrayEquals(first, pool.get(0));
    }
}
