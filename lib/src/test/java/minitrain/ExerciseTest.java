package minitrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExerciseTest {

    @Test
    void anUnansweredExerciseDoesNotStopTheNotebook() {
        assertTrue(Exercise.check("myCount", null, 7, "hint").startsWith("not answered yet"));
    }

    @Test
    void aRightAnswerPassesAndAWrongOneStopsWithTheHint() {
        assertEquals("correct: myCount = 7", Exercise.check("myCount", 7, 7L, "hint"));
        assertEquals("correct: p = 1.9937", Exercise.check("p", 1.9937, 1.9937 + 1e-12, "hint"));
        AssertionError e = assertThrows(AssertionError.class, () -> Exercise.check("myCount", 6, 7, "count the targets"));
        assertTrue(e.getMessage().contains("count the targets"));
        assertThrows(AssertionError.class, () -> Exercise.check("p", 1.99, 1.9937, "h"));
        assertThrows(AssertionError.class, () -> Exercise.check("yes", "no", "yes", "h"));
    }
}
