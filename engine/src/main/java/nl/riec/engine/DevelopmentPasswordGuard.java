package nl.riec.engine;

import java.util.Set;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Fail closed: the engine does not start with a known development password for the
 * administrator unless the operator said this is a development run (RIEC_DEVELOPMENT=true,
 * property riec.development), as `riec up` and the test harness do. Checked before the
 * engine is built, so the administrator is never created with such a password.
 */
@Component
public class DevelopmentPasswordGuard extends AbstractProcessEnginePlugin {

  static final Set<String> DEVELOPMENT_PASSWORDS = Set.of("", "demo", "Demo-wachtwoord-1", "Demo-dienst-2026!");

  private final String adminPassword;
  private final boolean development;

  public DevelopmentPasswordGuard(@Value("${camunda.bpm.admin-user.password:}") String adminPassword,
                                  @Value("${riec.development:false}") boolean development) {
    this.adminPassword = adminPassword;
    this.development = development;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (!development && DEVELOPMENT_PASSWORDS.contains(adminPassword.strip())) {
      throw new IllegalStateException("Refusing to start: the administrator's password is a known development password."
          + " Set RIEC_ENGINE_PASSWORD to a password of your own (at least 10 characters with upper and lower case,"
          + " a digit and a special character), or set RIEC_DEVELOPMENT=true if this is a development run.");
    }
  }
}
