package minitrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExerciseTest {

    @Test
    void anUnansweredExerciseDoesNotStopTheNotebook() {
        assertTrue(Exercise.check("myCount", null, 7, "hint").startsWith("not answered yet"));
        assertTrue(Exercise.check("lr", null, 1e-3, 1e-6, "hint").startsWith("not answered yet"));
    }

    @Test
    void aRightAnswerPassesAndAWrongOneGetsTheHintWithoutAStackTrace() {
        assertEquals("correct: myCount = 7", Exercise.check("myCount", 7, 7L, "hint"));
        assertEquals("correct: p = 1.9937", Exercise.check("p", 1.9937, 1.9937 + 1e-12, "hint"));
        String wrong = Exercise.check("myCount", 6, 7, "count the targets");
        assertEquals("not right yet: myCount = 6. count the targets", wrong);
        assertTrue(Exercise.check("p", 1.99, 1.9937, "h").startsWith("not right yet"));
        assertTrue(Exercise.check("yes", "no", "yes", "h").startsWith("not right yet"));
    }

    @Test
    void aHandRoundedNumberPassesWithinTheStatedTolerance() {
        assertTrue(Exercise.check("lr", 0.00154, 0.0015412, 1e-5, "h").startsWith("correct"));
        assertTrue(Exercise.check("lr", 0.0016, 0.0015412, 1e-5, "h").startsWith("not right yet"));
        assertTrue(Exercise.check("n", 3, 3.0, 0, "h").startsWith("correct"), "an int where a double is expected");
    }
}
