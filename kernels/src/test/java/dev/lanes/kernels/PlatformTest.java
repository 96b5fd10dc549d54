package dev.lanes.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformTest {
    @Test
    void adviseARaisedTrapLimitBeforeJdk25WhenItIsBelowTheNeed() {
        String advice = Platform.trapLimitAdvice(17, Optional.of("100"));
        assertNotNull(advice);
        assertTrue(advice.contains("-XX:PerMethodTrapLimit=100,"), advice);
        assertTrue(advice.contains("-XX:PerMethodTrapLimit=" + Platform.TRAP_LIMIT_NEEDED + " "), advice);
        assertNotNull(Platform.trapLimitAdvice(21, Optional.of(Integer.toString(Platform.TRAP_LIMIT_NEEDED - 1))));
    }

    @Test
    void noAdviceWhereTheLimitSufficesTheJdkIsNewerOrTheOptionIsUnknown() {
        assertNull(Platform.trapLimitAdvice(17, Optional.of(Integer.toString(Platform.TRAP_LIMIT_NEEDED))));
        assertNull(Platform.trapLimitAdvice(17, Optional.of("100000")));
        assertNull(Platform.trapLimitAdvice(25, Optional.of("100")));
        assertNull(Platform.trapLimitAdvice(17, Optional.empty()));
        assertNull(Platform.trapLimitAdvice(17, Optional.of("not a number")));
    }

    @Test
    void thisJvmsAdviceFollowsItsOwnOption() {
        // The test JVMs run with the limit the advice asks for (the parent pom's argLine).
        assertEquals(null, Platform.TRAP_LIMIT_ADVICE, "the test JVM should run with -XX:PerMethodTrapLimit="
                + Platform.TRAP_LIMIT_NEEDED + " or more");
    }
}
