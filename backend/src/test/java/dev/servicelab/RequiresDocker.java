package dev.servicelab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * A test class that needs a Docker engine (sandboxes, the compose stack): on a machine without one it
 * is skipped, and the test report names it and says why, instead of failing after start-up timeouts.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {

    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isPresent()) {
                return ConditionEvaluationResult.enabled("decided for the class");
            }
            // Testcontainers asks once per JVM and remembers the answer.
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return ConditionEvaluationResult.enabled("a Docker engine answers");
            }
            String skipped = context.getRequiredTestClass().getName() + " skipped: it needs a Docker engine and none answers "
                    + "(DOCKER_HOST or /var/run/docker.sock). Start Docker to run it.";
            System.err.println("[servicelab] " + skipped);
            return ConditionEvaluationResult.disabled(skipped);
        }
    }
}
