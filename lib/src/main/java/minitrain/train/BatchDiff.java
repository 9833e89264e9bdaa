package minitrain.train;

import java.util.List;

/**
 * The first place where a learner's batch (or attention mask) differs from the library's, for
 * {@link BatchCheck}: {@code what} differs, and {@code hint}, the rule that cell breaks, so the learner knows
 * which line to fix. Fields are compared in the order a batch is built: idx, targets, real, counted, tokens.
 */
record BatchDiff(String what, String hint) {

    private static final String ROWS = "one row per record, in the records' order";
    private static final String WIDTH = "every row is as long as the longest record minus one (T: inputs drop the"
            + " record's last token), shorter records padded on the right";

    /** Null when {@code got} equals {@code expected}, the library's batch of {@code records}. */
    static BatchDiff ofBatch(Batch expected, Batch got, List<int[]> records) {
        BatchDiff d = ints("idx", expected.idx(), got.idx(), records,
                "input i of a record of n tokens is record[i] while i < n - 1, then padId up to T");
        if (d == null) d = ints("targets", expected.targets(), got.targets(), records,
                "the target at i is the token after input i, record[i + 1] while i < n - 1, then padId");
        if (d == null) d = bools("real", expected.real(), got.real(), records,
                "real[b][i] is true exactly where input i is a token of the record (i < n - 1), false on padding");
        if (d == null) d = bools("counted", expected.counted(), got.counted(), records,
                "counted[b][i] is true where the target is a real token: i < n - 1, the same cells as real"
                + " (the last real input predicts <eos>), false where the target is padding");
        if (d == null && got.tokens() != expected.tokens()) {
            d = new BatchDiff("tokens is " + got.tokens() + " where Batch.of has " + expected.tokens(),
                    "tokens counts the graded targets, the true cells of counted: the sum of n - 1 over the records");
        }
        return d;
    }

    /** Null when {@code got} equals {@code expected}, the library's (B, T, T) mask of a batch with key mask real. */
    static BatchDiff ofMask(boolean[][][] expected, boolean[][][] got, boolean[][] real) {
        String shape = "the mask is (B, T, T): for each batch row, query i down and key j across, T = idx[0].length";
        if (got.length != expected.length) return rows("the mask", got.length, expected.length, shape);
        for (int b = 0; b < expected.length; b++) {
            int t = expected[b].length;
            if (got[b] == null || got[b].length != t) {
                return width("mask[" + b + "]", got[b] == null ? 0 : got[b].length, t, shape);
            }
            for (int i = 0; i < t; i++) {
                if (got[b][i] == null || got[b][i].length != t) {
                    return width("mask[" + b + "][" + i + "]", got[b][i] == null ? 0 : got[b][i].length, t, shape);
                }
                for (int j = 0; j < t; j++) {
                    if (got[b][i][j] == expected[b][i][j]) continue;
                    String what = "mask[" + b + "][" + i + "][" + j + "] is " + got[b][i][j]
                            + " where Batch.attentionMask has " + expected[b][i][j];
                    if (expected[b][i][j]) {
                        return new BatchDiff(what, "query i reads every real key j <= i, itself included");
                    }
                    if (j > i) return new BatchDiff(what, "causal: query i never reads a later key (j > i)");
                    return new BatchDiff(what, "key " + j + " of row " + b + " is padding (real[" + b + "][" + j
                            + "] is false): no query reads a padding key");
                }
            }
        }
        return null;
    }

    private static BatchDiff ints(String field, int[][] expected, int[][] got, List<int[]> records, String rule) {
        if (got == null) return new BatchDiff(field + " is null", rule);
        if (got.length != expected.length) return rows(field, got.length, expected.length, ROWS);
        for (int b = 0; b < expected.length; b++) {
            if (got[b] == null || got[b].length != expected[b].length) {
                return width(field + "[" + b + "]", got[b] == null ? 0 : got[b].length, expected[b].length, WIDTH);
            }
            for (int i = 0; i < expected[b].length; i++) {
                if (got[b][i] != expected[b][i]) return cell(field, b, i, got[b][i], expected[b][i], records, rule);
            }
        }
        return null;
    }

    private static BatchDiff bools(String field, boolean[][] expected, boolean[][] got, List<int[]> records,
                                   String rule) {
        if (got == null) return new BatchDiff(field + " is null", rule);
        if (got.length != expected.length) return rows(field, got.length, expected.length, ROWS);
        for (int b = 0; b < expected.length; b++) {
            if (got[b] == null || got[b].length != expected[b].length) {
                return width(field + "[" + b + "]", got[b] == null ? 0 : got[b].length, expected[b].length, WIDTH);
            }
            for (int i = 0; i < expected[b].length; i++) {
                if (got[b][i] != expected[b][i]) return cell(field, b, i, got[b][i], expected[b][i], records, rule);
            }
        }
        return null;
    }

    private static BatchDiff rows(String field, int got, int expected, String rule) {
        return new BatchDiff(field + " has " + got + " rows where the library has " + expected, rule);
    }

    private static BatchDiff width(String row, int got, int expected, String rule) {
        return new BatchDiff(row + " has " + got + " positions where the library has " + expected, rule);
    }

    private static BatchDiff cell(String field, int b, int i, Object got, Object expected, List<int[]> records,
                                  String rule) {
        return new BatchDiff(field + "[" + b + "][" + i + "] is " + got + " where Batch.of has " + expected
                + " (row " + b + " is a record of " + records.get(b).length + " tokens)", rule);
    }
}
