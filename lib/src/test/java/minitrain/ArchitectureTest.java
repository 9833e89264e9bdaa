package minitrain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.ArrayList;
import java.util.List;
import minitrain.checkpoint.UpwardImportFixture;
import org.junit.jupiter.api.Test;

/**
 * The library's packages form a ladder a learner can climb in order: each package uses only the ones below it
 * (and the few kit-wide classes in {@code minitrain} itself), so any file can be read knowing only what came
 * before. {@code checkpoint} holds file formats and sits below {@code train}, which maps a run onto them.
 */
class ArchitectureTest {

    /** Bottom to top. A package may import the ones before it in this list, never one after it. */
    static final List<String> LADDER = List.of("corpus", "ngram", "autograd", "model", "checkpoint", "train",
            "precision", "tracking", "plot", "cli");

    static ArchRule ladder() {
        List<ArchRule> rules = new ArrayList<>();
        rules.add(noClasses().that().resideInAPackage("minitrain").should()
                .dependOnClassesThat().resideInAPackage("minitrain.(*)..")
                .because("the kit-wide classes in minitrain sit below every package").allowEmptyShould(true));
        for (int low = 0; low < LADDER.size(); low++) {
            for (int high = low + 1; high < LADDER.size(); high++) {
                rules.add(noClasses().that().resideInAPackage("minitrain." + LADDER.get(low) + "..").should()
                        .dependOnClassesThat().resideInAPackage("minitrain." + LADDER.get(high) + "..")
                        .because(LADDER.get(low) + " comes before " + LADDER.get(high) + " in the ladder")
                        .allowEmptyShould(true));
            }
        }
        rules.add(slices().matching("minitrain.(*)..").should().beFreeOfCycles());
        return CompositeArchRule.of(rules);
    }

    @Test
    void noPackageImportsOneAboveItAndThereAreNoCycles() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("minitrain");
        ladder().check(main);
    }

    /** The rule can fail: a class in checkpoint that uses train is caught, and the message names both classes. */
    @Test
    void anUpwardImportIsCaughtAndNamed() {
        JavaClasses withFixture = new ClassFileImporter().importClasses(UpwardImportFixture.class,
                minitrain.train.TrainingRun.class);
        AssertionError e = assertThrows(AssertionError.class, () -> ladder().check(withFixture));
        assertTrue(e.getMessage().contains("minitrain.checkpoint.UpwardImportFixture")
                && e.getMessage().contains("minitrain.train.TrainingRun"), e.getMessage());
    }
}
