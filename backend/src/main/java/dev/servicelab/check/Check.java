package dev.servicelab.check;

import dev.servicelab.lab.CheckSpec;
import dev.servicelab.lab.CheckType;
import java.util.Set;

/**
 * One kind of check from the lab format. Implementations look at the sandbox and say precisely what
 * they found, in words a learner can act on.
 */
public interface Check {

    Set<CheckType> types();

    Outcome evaluate(CheckSpec spec, CheckContext context);
}
