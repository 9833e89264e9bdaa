package minitrain.corpus;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The corpus at a glance, as Tablesaw tables (the card's statistics and `minitrain corpus stats`). */
public final class CorpusStats {

    private CorpusStats() {}

    /** One row per record: split, tense, person, verb and text length in characters. */
    public static Table records(Corpus corpus) {
        List<Record> all = new ArrayList<>();
        for (Split s : Split.values()) all.addAll(corpus.records(s));
        Table t = Table.create("records",
                StringColumn.create("split"), StringColumn.create("tense"), StringColumn.create("person"),
                StringColumn.create("verb"), IntColumn.create("chars"));
        for (Record r : all) {
            t.stringColumn("split").append(r.split().key());
            t.stringColumn("tense").append(r.tense().key());
            t.stringColumn("person").append(r.person().key());
            t.stringColumn("verb").append(r.verb());
            t.intColumn("chars").append(r.text().codePointCount(0, r.text().length()));
        }
        return t;
    }

    /** The summary tables printed by {@code minitrain corpus stats}. */
    public static String summary(Corpus corpus) {
        Table t = records(corpus);
        StringBuilder sb = new StringBuilder();
        sb.append(t.xTabCounts("tense", "split").setName("Records per tense and split").printAll()).append("\n\n");
        sb.append(t.xTabCounts("person", "split").setName("Records per person and split").printAll()).append("\n\n");
        Table lengths = t.summarize("chars", tech.tablesaw.aggregate.AggregateFunctions.count,
                tech.tablesaw.aggregate.AggregateFunctions.min, tech.tablesaw.aggregate.AggregateFunctions.mean,
                tech.tablesaw.aggregate.AggregateFunctions.median, tech.tablesaw.aggregate.AggregateFunctions.max,
                tech.tablesaw.aggregate.AggregateFunctions.sum).by("split");
        sb.append(lengths.setName("Text length in characters, per split").printAll()).append("\n\n");
        sb.append("verbs: ").append(t.stringColumn("verb").countUnique())
                .append(", vocabulary: ").append(corpus.vocab().size()).append(" tokens (3 special)")
                .append(", corpus sha256: ").append(corpus.sha256(), 0, 12).append("\n");
        return sb.toString();
    }
}
