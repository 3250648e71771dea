package nl.riec.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells the operator where to log in, and warns loudly in a development run. */
@Component
public class StartupBanner {
  private static final Logger LOG = LoggerFactory.getLogger(StartupBanner.class);
  @Value("${camunda.bpm.admin-user.id}")
  private String adminUser;

  @Value("${camunda.bpm.admin-user.password}")
  private String adminPassword;

  @Value("${server.port:8080}")
  private int port;

  @Value("${spring.datasource.url}")
  private String datasourceUrl;

  @EventListener(ApplicationReadyEvent.class)
  public void ready() {
    LOG.info("RIEC engine ready: http://localhost:{}/camunda/app/ (REST: /engine-rest, database: {})", port, datasourceUrl.replaceAll("password=[^;&]*", "password=***"));
    if (DevelopmentPasswordGuard.DEVELOPMENT_PASSWORDS.contains(adminPassword)) {
      // Only reachable in a development run (RIEC_DEVELOPMENT=true): DevelopmentPasswordGuard refuses it otherwise.
      LOG.warn("Development run: admin login '{}' with password '{}'. Set RIEC_ENGINE_PASSWORD for any real deployment.", adminUser, adminPassword);
    } else {
      LOG.info("Admin user: '{}' (password from RIEC_ENGINE_PASSWORD)", adminUser);
    }
  }
}
